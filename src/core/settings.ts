import type { Severity } from './diagnostic.js';
import { MAX_NESTING, TOO_DEEP_MESSAGE } from './text.js';

export type RuleLevel = 'off' | 'warn' | 'error';
export type RuleSetting = RuleLevel | [RuleLevel] | [RuleLevel, Record<string, unknown>];
/** ESLint's shape: `{ "rule-id": "off" | "warn" | "error" | ["error", { options }] }`. */
export type RuleSettings = Record<string, RuleSetting>;

export interface ResolvedRule {
  enabled: boolean;
  /** A severity forced by the user, or undefined to keep each finding's own. */
  severity?: Severity;
  options: Record<string, unknown>;
}

export function resolveRule(settings: RuleSettings | undefined, id: string, defaults: unknown): ResolvedRule {
  const setting = settings?.[id];
  const base = { ...(defaults as Record<string, unknown>) };
  if (setting === undefined) return { enabled: true, options: base };
  const [level, options] = Array.isArray(setting) ? setting : [setting];
  return {
    enabled: level !== 'off',
    severity: level === 'warn' ? 'warning' : level === 'error' ? 'error' : undefined,
    options: { ...base, ...(options ?? {}) },
  };
}

const LEVELS: readonly string[] = ['off', 'warn', 'error'];

/** Keys that reach an object's prototype when assigned: never accepted in settings, from any source. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first forbidden key anywhere in a parsed value, as a dotted path, or null. Depth first, in key order,
 * with a stack of its own (a value nested thousands deep does not exhaust the call stack).
 */
export function forbiddenKey(value: unknown, path: readonly string[] = []): string | null {
  const stack: { value: unknown; path: readonly string[] }[] = [{ value, path }];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (typeof at.value !== 'object' || at.value === null) continue;
    const keys = Object.keys(at.value);
    for (const key of keys) if (FORBIDDEN_KEYS.has(key)) return [...at.path, key].join('.');
    for (let i = keys.length - 1; i >= 0; i--)
      stack.push({ value: (at.value as Record<string, unknown>)[keys[i]!], path: [...at.path, keys[i]!] });
  }
  return null;
}

/** Whether a parsed value nests objects and arrays more than MAX_NESTING deep (counted without recursion). */
export function nestedTooDeeply(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_NESTING) return true;
    for (const inner of Object.values(v)) stack.push([inner, depth + 1]);
  }
  return false;
}

type OptionsValidator = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; keyword?: string; message?: string; params: Record<string, unknown> }[] | null;
};

/**
 * Check user rule settings against the rules: known ids, known levels, and options validated with ajv
 * against each rule's own option schema (types, ranges, patterns, unknown options). Returns one message per
 * mistake, naming the rule. ajv is loaded only when some setting has options.
 */
export async function settingsErrors(
  settings: Record<string, unknown>,
  rules: readonly { meta: { id: string; options: Record<string, unknown> } }[],
): Promise<string[]> {
  const errors: string[] = [];
  if (nestedTooDeeply(settings)) return [TOO_DEEP_MESSAGE];
  const forbidden = forbiddenKey(settings);
  if (forbidden !== null) return [`"${forbidden.split('.').pop()}" is not allowed as a key (at ${forbidden})`];
  let compile: ((schema: Record<string, unknown>) => OptionsValidator) | undefined;
  for (const [id, setting] of Object.entries(settings)) {
    const rule = rules.find((r) => r.meta.id === id);
    if (!rule) {
      errors.push(`unknown rule "${id}" (see \`netra-migrate rules\`)`);
      continue;
    }
    const [level, options, ...rest] = Array.isArray(setting) ? setting : [setting];
    if (typeof level !== 'string' || !LEVELS.includes(level))
      errors.push(`${id}: level must be one of ${LEVELS.join(', ')}, not ${JSON.stringify(level)}`);
    if (rest.length > 0) errors.push(`${id}: expected [level] or [level, {options}]`);
    if (options === undefined) continue;
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      errors.push(`${id}: options must be an object`);
      continue;
    }
    compile ??= await optionsCompiler();
    const validate = compile(rule.meta.options);
    if (validate(options)) continue;
    const declared = Object.keys(rule.meta.options.properties ?? {});
    const ranged = new Set<string>();
    for (const e of validate.errors ?? []) {
      const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const value = valueAt(options, where);
      const range = numberRange(rule.meta.options, where);
      if (range !== null && (RANGE_KEYWORDS.has(e.keyword ?? '') || (typeof value === 'number' && !Number.isFinite(value)))) {
        // One message per option, naming its whole range (NaN fails both bounds; Infinity is JSON's 1e999).
        if (!ranged.has(where)) errors.push(`${id}: option "${where}" must be ${range}, not ${formatValue(value)}`);
        ranged.add(where);
      } else if (e.params.additionalProperty !== undefined) {
        errors.push(
          `${id}: unknown option "${String(e.params.additionalProperty)}"${declared.length ? ` (options: ${declared.join(', ')})` : ' (it has none)'}`,
        );
      } else {
        errors.push(`${id}: option "${where}" ${e.message ?? 'is not valid'}, not ${formatValue(value)}`);
      }
    }
  }
  return errors;
}

const RANGE_KEYWORDS = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']);

/** `a number from 1 to 1000000`, `a whole number ...`: the range a numeric option's schema allows, or null. */
function numberRange(schema: Record<string, unknown>, dotted: string): string | null {
  let at: Record<string, unknown> | undefined = schema;
  for (const part of dotted.split('.').filter(Boolean))
    at = (at?.properties as Record<string, Record<string, unknown>> | undefined)?.[part];
  const types = [at?.type].flat();
  if (!at || (!types.includes('number') && !types.includes('integer'))) return null;
  const from = typeof at.minimum === 'number';
  const low = typeof at.exclusiveMinimum === 'number' ? `above ${at.exclusiveMinimum}` : from ? `from ${String(at.minimum)}` : null;
  const high =
    typeof at.exclusiveMaximum === 'number'
      ? `${low ? 'and ' : ''}below ${at.exclusiveMaximum}`
      : typeof at.maximum === 'number'
        ? `${from ? 'to' : low ? 'and at most' : 'at most'} ${at.maximum}`
        : null;
  const kind = types.includes('number') ? 'a number' : 'a whole number';
  return [kind, low, high].filter(Boolean).join(' ');
}

/** A rejected value as the user wrote it (JSON.stringify would print Infinity and NaN as null). */
function formatValue(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function valueAt(value: unknown, dotted: string): unknown {
  let at = value;
  for (const part of dotted.split('.').filter(Boolean)) at = (at as Record<string, unknown> | undefined)?.[part];
  return at;
}

async function optionsCompiler(): Promise<(schema: Record<string, unknown>) => OptionsValidator> {
  const mod = (await import('ajv')) as unknown as { default: new (o: object) => { compile(s: object): OptionsValidator } };
  const Ajv = (mod.default as unknown as { default?: typeof mod.default }).default ?? mod.default;
  // `default` and `description` annotate; strict mode would reject neither, but rules may add notes.
  const ajv = new Ajv({ allErrors: true, strict: false });
  const cache = new Map<object, OptionsValidator>();
  return (schema) => {
    let v = cache.get(schema);
    if (!v) cache.set(schema, (v = ajv.compile(schema)));
    return v;
  };
}

/** `--rule` values: a JSON object of settings, or `rule-id:SETTING` with SETTING a level or JSON. */
export function parseRuleFlag(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected an object');
    return parsed as Record<string, unknown>;
  }
  const colon = trimmed.indexOf(':');
  if (colon < 0) throw new Error('expected rule-id:level, rule-id:[level, {options}] or a JSON object');
  const id = trimmed.slice(0, colon).trim();
  const value = trimmed.slice(colon + 1).trim();
  return { [id]: LEVELS.includes(value) ? value : (JSON.parse(value) as unknown) };
}
