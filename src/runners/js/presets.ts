/**
 * Jest presets, read as Jest applies them (jest-config's `setupPreset`): the preset's options come first and
 * the config's own win, except `setupFiles`, `setupFilesAfterEnv` and `modulePathIgnorePatterns` (lists:
 * the preset's items, then the config's; a key only the preset sets is marked `concatenated`, so a fix adds
 * the key to the config, which Jest appends) and `moduleNameMapper`, `transform`, `globals` (objects merged).
 * A preset is found as Jest finds it: a path (`./jest-preset.js`, from `rootDir`) or a package's
 * `jest-preset.{json,js,cjs,mjs}` under node_modules; packages not installed are read from the options
 * their documentation lists (KNOWN_PRESETS: ts-jest, jest-preset-angular, react-native, jest-expo, Nx). A preset that cannot be read makes the options opaque: it may
 * set `testTimeout` or anything else, so no rule claims a key is missing and no fix writes one.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  plainValue,
  property,
  readConfigValue,
  type JsObject,
  type JsProperty,
  type JsValue,
  type PlainData,
  type ReadSource,
  type Span,
} from '../../formats/js.js';

/** The options Nx's `nxPreset` (`@nx/jest/preset`) documents, for `preset: '@nx/jest/preset'`; none is a limit (a spread `...nxPreset` is read through js-known.ts). */
const NX_PRESET: Record<string, PlainData> = {
  testMatch: ['**/?(*.)+(spec|test).?([mc])[jt]s?(x)'],
  resolver: '@nx/jest/plugins/resolver',
  moduleFileExtensions: ['ts', 'js', 'mts', 'mjs', 'cts', 'cjs', 'html'],
  coverageReporters: ['html'],
  testEnvironment: 'jsdom',
  testEnvironmentOptions: { customExportConditions: ['node', 'require', 'default'] },
};

const TS_JEST = { transform: { '^.+\\.tsx?$': 'ts-jest' } };
const TS_JEST_JS = { transform: { '^.+\\.[tj]sx?$': 'ts-jest' } };

/**
 * Well-known presets by the name a config gives (`preset: 'ts-jest'`), with the options their docs list,
 * for repositories read without node_modules. None sets `testTimeout` or a memory option.
 */
export const KNOWN_PRESETS: Record<string, Record<string, PlainData>> = {
  'ts-jest': TS_JEST,
  'ts-jest/presets/default': TS_JEST,
  'ts-jest/presets/default-esm': TS_JEST,
  'ts-jest/presets/default-legacy': TS_JEST,
  'ts-jest/presets/js-with-ts': TS_JEST_JS,
  'ts-jest/presets/js-with-ts-esm': TS_JEST_JS,
  'ts-jest/presets/js-with-babel': { transform: { '^.+\\.tsx?$': 'ts-jest', '^.+\\.jsx?$': 'babel-jest' } },
  'jest-preset-angular': {
    testEnvironment: 'jsdom',
    moduleFileExtensions: ['ts', 'html', 'js', 'json', 'mjs'],
    transform: { '^.+\\.(ts|js|mjs|html|svg)$': 'jest-preset-angular' },
    transformIgnorePatterns: ['node_modules/(?!.*\\.mjs$)'],
    snapshotSerializers: [
      'jest-preset-angular/build/serializers/html-comment',
      'jest-preset-angular/build/serializers/ng-snapshot',
      'jest-preset-angular/build/serializers/no-ng-attributes',
    ],
  },
  'react-native': {
    haste: { defaultPlatform: 'ios', platforms: ['android', 'ios', 'native'] },
    transform: { '^.+\\.(js|ts|tsx)$': 'babel-jest' },
    transformIgnorePatterns: ['node_modules/(?!((jest-)?react-native|@react-native(-community)?)/)'],
    testEnvironment: 'node',
  },
  '@nx/jest/preset': NX_PRESET,
  '@nrwl/jest/preset': NX_PRESET,
};
// Expo's preset (the react-native one plus Expo's transforms and setup files); none sets a limit.
for (const name of ['jest-expo', 'jest-expo/ios', 'jest-expo/android', 'jest-expo/web', 'jest-expo/node', 'jest-expo/universal']) {
  KNOWN_PRESETS[name] = { ...KNOWN_PRESETS['react-native']!, setupFiles: [] };
}
KNOWN_PRESETS['jest-preset-angular/presets/defaults'] = KNOWN_PRESETS['jest-preset-angular']!;
KNOWN_PRESETS['jest-preset-angular/presets/defaults-esm'] = KNOWN_PRESETS['jest-preset-angular']!;

const PRESET_EXTENSIONS = ['.json', '.js', '.cjs', '.mjs'];
/** Options Jest concatenates (the preset's items first) rather than replaces. */
const CONCATENATED = new Set(['setupFiles', 'setupFilesAfterEnv', 'modulePathIgnorePatterns']);
/** Options Jest merges key by key (the config's keys win). */
const MERGED = new Set(['moduleNameMapper', 'transform', 'globals']);

/** The preset file Jest would load for `name`, or null. */
function presetFile(name: string, rootDir: string): string | null {
  if (name.startsWith('.') || name.startsWith('/')) {
    const base = resolve(rootDir, name);
    return ['', ...PRESET_EXTENSIONS].map((ext) => base + ext).find((f) => existsSync(f) && !f.endsWith('/')) ?? null;
  }
  for (let d = rootDir; ; d = dirname(d)) {
    for (const ext of PRESET_EXTENSIONS) {
      const f = join(d, 'node_modules', name, `jest-preset${ext}`);
      if (existsSync(f)) return f;
    }
    if (dirname(d) === d) return null;
  }
}

/** The preset's options as a value (located in the preset's file, or at the `preset` key for a modelled package); null if unknown. */
function presetValue(name: string, rootDir: string, readSource: ReadSource, at: Span): JsValue | null {
  const file = presetFile(name, rootDir);
  if (file) {
    const parsed = readSource(file);
    return parsed ? readConfigValue(parsed, readSource) : null;
  }
  const known = KNOWN_PRESETS[name];
  return known ? plainValue(known, at) : null;
}

/** The config's options with its preset's applied as Jest applies them; `opaque` set when the preset cannot be read. */
export function applyJestPreset(options: JsObject, configFile: string, readSource: ReadSource): JsObject {
  const preset = property(options, 'preset');
  if (!preset) return options;
  const rootDirProp = property(options, 'rootDir');
  const configDir = dirname(configFile);
  const rootDir = rootDirProp?.value.kind === 'string' ? resolve(configDir, rootDirProp.value.value) : configDir;
  const value =
    preset.value.kind === 'string' ? presetValue(preset.value.value.split('<rootDir>').join(rootDir), rootDir, readSource, preset) : null;
  if (!value || value.kind !== 'object') return { ...options, opaque: options.opaque ?? preset };
  const properties: JsProperty[] = value.properties
    .filter((p) => !property(options, p.key))
    .map((p) => ({ ...p, own: false, ...(CONCATENATED.has(p.key) ? { concatenated: true } : {}) }));
  for (const p of options.properties) {
    const from = property(value, p.key);
    if (from && CONCATENATED.has(p.key) && from.value.kind === 'array' && p.value.kind === 'array') {
      properties.push({
        ...p,
        value: { ...p.value, items: [...from.value.items, ...p.value.items], opaque: p.value.opaque ?? from.value.opaque },
      });
    } else if (from && MERGED.has(p.key) && from.value.kind === 'object' && p.value.kind === 'object') {
      const keys = new Set(p.value.properties.map((q) => q.key));
      properties.push({
        ...p,
        value: {
          ...p.value,
          properties: [...from.value.properties.filter((q) => !keys.has(q.key)), ...p.value.properties],
          opaque: p.value.opaque ?? from.value.opaque,
        },
      });
    } else properties.push(p);
  }
  return { ...options, properties, opaque: options.opaque ?? value.opaque };
}
