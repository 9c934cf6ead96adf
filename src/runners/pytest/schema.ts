import { pluginSchemas } from '../../generated/pytest-registry.js';
import type { ConfigEntry, PytestConfig } from './config.js';
import type { FlagSpec, PluginSchema, PytestIniType } from './schema-types.js';

export interface KeyInfo {
  type: PytestIniType;
  plugin: string;
  canonical: string;
}

const keyIndex = new Map<string, KeyInfo>();
const flagIndex = new Map<string, FlagSpec & { plugin: string }>();
for (const schema of pluginSchemas) {
  for (const [key, type] of Object.entries(schema.keys)) keyIndex.set(key, { type, plugin: schema.plugin, canonical: key });
  for (const [alias, canonical] of Object.entries(schema.aliases)) {
    const target = keyIndex.get(canonical);
    if (target) keyIndex.set(alias, { ...target, canonical });
  }
  for (const flag of schema.flags) for (const name of flag.names) flagIndex.set(name, { ...flag, plugin: schema.plugin });
}

export function keyInfo(key: string): KeyInfo | undefined {
  return keyIndex.get(key);
}

export function flagSpec(name: string): (FlagSpec & { plugin: string }) | undefined {
  return flagIndex.get(name);
}

export function knownPlugins(): string[] {
  return pluginSchemas.map((s: PluginSchema) => s.plugin);
}

export function knownKeyNames(): string[] {
  return [...keyIndex.keys()];
}

/** Keys no schema declares (nor the user's `knownKeys`). */
export function unknownKeys(config: PytestConfig, extra: readonly string[] = []): ConfigEntry[] {
  return config.entries.filter((e) => !keyInfo(e.key) && !extra.includes(e.key));
}
