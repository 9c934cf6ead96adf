/**
 * netra-migrate's own configuration, ESLint's shape:
 *
 *   { "preset": "recommended" | "strict",
 *     "rules": { "<rule-id>": "off" | "warn" | "error" | ["error", { <options> }] }, "ignore": ["<glob>", ...] }
 *
 * `rules` apply on top of the preset (default `recommended`); `--preset` and `--rule` win over the file.
 * read from the nearest of `.netra-migrate.json`, `[tool.netra-migrate]` in pyproject.toml, or a
 * `netra-migrate` key in package.json, looking from the working directory up (in one directory, in that
 * order). A mistake is one FileProblem naming the file, the line and the key, and the run exits 2.
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FileProblemError } from './diagnostic.js';
import { readOptionalTextFile } from './fs.js';
import { compileGlobs, globsIgnore } from './glob.js';
import { PRESETS, presetLevels, type JsonSchema, type PresetName, type RuleMeta } from './rule.js';
import { forbiddenKey, nestedTooDeeply, settingsErrors, type RuleSettings } from './settings.js';
import { LineIndex, TOO_DEEP_MESSAGE, tooDeepAt } from './text.js';

export interface ToolConfig {
  file: string;
  /** The preset the file names, if it names one. */
  preset?: PresetName;
  rules: RuleSettings;
  ignore: string[];
  /** Whether a path (absolute) is ignored by the config's globs. */
  ignored(path: string): boolean;
}

interface RuleLike {
  meta: RuleMeta<string, unknown>;
}

/** A preset name given by a user (tool config, `--preset`, the library); null when it names none of them. */
export function presetNamed(value: unknown): PresetName | null {
  return typeof value === 'string' && (PRESETS as readonly string[]).includes(value) ? (value as PresetName) : null;
}

export const TOOL_CONFIG_FILES = ['.netra-migrate.json', 'pyproject.toml', 'package.json'] as const;

/** A candidate's text, null when absent; a FIFO, device, oversized or unreadable candidate is an error. */
function exists(path: string): string | null {
  return readOptionalTextFile(path);
}

/** The raw settings object of one candidate file, or null when that file holds none. */
async function rawConfig(file: string, text: string): Promise<{ data: unknown; lineOf: (key: string) => number } | null> {
  const index = new LineIndex(text);
  const jsonLineOf = (key: string) => {
    const at = text.indexOf(JSON.stringify(key));
    return at < 0 ? 1 : index.position(at).line;
  };
  const parseJson = () => {
    // JSON.parse reads any depth, but the checks after it and the cache key recurse: refuse it here, located.
    const deep = tooDeepAt(text);
    if (deep !== null) {
      const { line, column } = index.position(deep);
      throw new FileProblemError({ file, line, column, message: TOO_DEEP_MESSAGE });
    }
    try {
      return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    } catch (e) {
      const m = /position (\d+)/.exec((e as Error).message);
      const line = m ? index.position(Number(m[1])).line : 1;
      throw new FileProblemError({ file, line, message: `invalid JSON: ${(e as Error).message.replace(/^JSON\.parse: /, '')}` });
    }
  };
  if (file.endsWith('.netra-migrate.json')) return { data: parseJson(), lineOf: jsonLineOf };
  if (file.endsWith('package.json')) {
    if (!text.includes('"netra-migrate"')) return null;
    const pkg = parseJson() as Record<string, unknown>;
    return pkg && typeof pkg === 'object' && 'netra-migrate' in pkg ? { data: pkg['netra-migrate'], lineOf: jsonLineOf } : null;
  }
  // pyproject.toml: only a file that mentions the table pays for a TOML parse.
  if (!/^\s*\[\s*tool\s*\.\s*["']?netra-migrate["']?/m.test(text)) return null;
  return tomlConfig(file, text, index);
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

async function tomlConfig(file: string, text: string, index: LineIndex): Promise<{ data: unknown; lineOf: (key: string) => number }> {
  // Imported here so a run without a pyproject config never loads the TOML parser for this.
  const { parseToml, tomlValue, keyValues } = await import('../formats/toml.js');
  const doc = parseToml(text);
  if (!doc.ast)
    throw new FileProblemError({ file, line: doc.error!.line, column: doc.error!.column, message: `invalid TOML: ${doc.error!.message}` });
  const data: Record<string, unknown> = {};
  for (const { path, node } of keyValues(doc.ast)) {
    if (path[0] !== 'tool' || path[1] !== 'netra-migrate') continue;
    // `[tool.netra-migrate."__proto__"]` would write into Object.prototype (and silence every rule).
    const forbidden = path.slice(2).find((p) => FORBIDDEN.has(p));
    if (forbidden !== undefined)
      throw new FileProblemError({
        file,
        line: index.position(node.range[0]).line,
        column: 1,
        message: `"${forbidden}" is not allowed as a key`,
      });
    let at = data;
    for (const part of path.slice(2, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
    at[path[path.length - 1]!] = tomlValue(node.value);
  }
  const lineOf = (key: string) => {
    const m = new RegExp(`^\\s*["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*=`, 'm').exec(text);
    return m ? index.position(m.index + (m[0].length - m[0].trimStart().length)).line : 1;
  };
  return { data, lineOf };
}

/**
 * Where the tool config is looked for: the deepest directory holding every input, when it lies inside the
 * working directory (so `check fixtures/netra-core` reads the sample's own config, as Ruff reads the config
 * nearest the files), else the working directory. From there up, the nearest wins.
 */
export function toolConfigStart(cwd: string, paths: readonly string[]): string {
  const base = resolve(cwd);
  const dirs = paths.map((p) => {
    const abs = resolve(base, p);
    return isDirectory(abs) ? abs : dirname(abs);
  });
  if (dirs.length === 0) return base;
  let common = dirs[0]!;
  for (const d of dirs.slice(1)) while (!isWithin(d, common)) common = dirname(common);
  return isWithin(common, base) ? common : base;
}

function isWithin(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Find and validate the nearest tool config above `cwd`; null when there is none. */
export async function loadToolConfig(cwd: string, rules: readonly RuleLike[]): Promise<ToolConfig | null> {
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const name of TOOL_CONFIG_FILES) {
      const file = join(dir, name);
      const text = exists(file);
      if (text === null) continue;
      const raw = await rawConfig(file, text);
      if (raw) return validate(file, raw.data, raw.lineOf, rules);
    }
    if (dirname(dir) === dir) return null;
  }
}

async function validate(file: string, data: unknown, lineOf: (key: string) => number, rules: readonly RuleLike[]): Promise<ToolConfig> {
  const fail = (key: string, message: string): never => {
    throw new FileProblemError({ file, line: lineOf(key), column: 1, message });
  };
  if (nestedTooDeeply(data)) fail('netra-migrate', TOO_DEEP_MESSAGE);
  const forbidden = forbiddenKey(data);
  if (forbidden !== null) fail(forbidden.split('.').pop()!, `"${forbidden.split('.').pop()}" is not allowed as a key (at ${forbidden})`);
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    fail('netra-migrate', 'the netra-migrate configuration must be an object with "preset", "rules" and/or "ignore"');
  const obj = data as Record<string, unknown>;
  for (const key of Object.keys(obj))
    if (!['preset', 'rules', 'ignore', '$schema'].includes(key)) fail(key, `unknown key "${key}" (known: preset, rules, ignore)`);
  const preset = obj.preset === undefined ? undefined : presetNamed(obj.preset);
  if (preset === null) fail('preset', `unknown preset ${JSON.stringify(obj.preset)} (presets: ${PRESETS.join(', ')})`);
  const ruleSettings = obj.rules ?? {};
  if (typeof ruleSettings !== 'object' || ruleSettings === null || Array.isArray(ruleSettings))
    fail('rules', '"rules" must be an object of rule id to setting');
  const errors = await settingsErrors(ruleSettings as Record<string, unknown>, rules);
  if (errors.length > 0) {
    const first = errors[0]!;
    const id = /^(?:unknown rule ")?([a-z-]+)/.exec(first)?.[1] ?? 'rules';
    fail(id, `rules: ${first}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
  }
  const ignore = obj.ignore ?? [];
  if (!Array.isArray(ignore) || ignore.some((g) => typeof g !== 'string')) fail('ignore', '"ignore" must be a list of glob strings');
  const base = dirname(file);
  const globs = compileGlobs(ignore as string[]);
  return {
    file,
    ...(preset ? { preset } : {}),
    rules: ruleSettings as RuleSettings,
    ignore: ignore as string[],
    ignored(path: string) {
      const rel = relative(base, path).split(sep).join('/');
      if (rel === '' || rel.startsWith('..')) return false;
      return globsIgnore(globs, rel);
    },
  };
}

/** The JSON Schema of the tool config, generated from the rules' own option schemas. */
export function toolConfigSchema(rules: readonly RuleLike[]): JsonSchema {
  const level = { enum: ['off', 'warn', 'error'] };
  const properties: Record<string, JsonSchema> = {};
  for (const rule of [...rules].sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1))) {
    properties[rule.meta.id] = {
      description: `${rule.meta.description} (${presetLevels(rule.meta)})`,
      oneOf: [level, { type: 'array', prefixItems: [level, rule.meta.options], items: false, minItems: 1 }],
    };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://netra-migrate.dev/schemas/netra-migrate-config.schema.json',
    title: 'netra-migrate configuration',
    description:
      'Generated from the rules (npm run schemas). `.netra-migrate.json`, `[tool.netra-migrate]` in pyproject.toml, or "netra-migrate" in package.json.',
    type: 'object',
    properties: {
      $schema: { type: 'string' },
      preset: {
        enum: [...PRESETS],
        default: 'recommended',
        description:
          'The rule levels to start from: `recommended` (errors only where a run is broken or not what its config says) or `strict` (also one test root, function-wide event loops, a timeout and a memory limit as errors). `rules` apply on top.',
      },
      rules: { type: 'object', properties, additionalProperties: false },
      ignore: {
        type: 'array',
        items: { type: 'string' },
        description: 'Globs (gitignore style) relative to the config file; matching files are not read or reported.',
      },
    },
    additionalProperties: false,
  };
}
