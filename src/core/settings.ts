import type { Severity } from './diagnostic.js';

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

/**
 * Check user rule settings against the rules: known ids, known levels, and only options a rule declares,
 * of the declared JSON type. Returns one message per mistake, naming the rule.
 */
export function settingsErrors(settings: Record<string, unknown>, rules: readonly { meta: { id: string; options: Record<string, unknown> } }[]): string[] {
  const errors: string[] = [];
  for (const [id, setting] of Object.entries(settings)) {
    const rule = rules.find((r) => r.meta.id === id);
    if (!rule) {
      errors.push(`unknown rule "${id}" (see \`netra-migrate rules\`)`);
      continue;
    }
    const [level, options, ...rest] = Array.isArray(setting) ? setting : [setting];
    if (typeof level !== 'string' || !LEVELS.includes(level)) errors.push(`${id}: level must be one of ${LEVELS.join(', ')}, not ${JSON.stringify(level)}`);
    if (rest.length > 0) errors.push(`${id}: expected [level] or [level, {options}]`);
    if (options === undefined) continue;
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      errors.push(`${id}: options must be an object`);
      continue;
    }
    const declared = (rule.meta.options.properties ?? {}) as Record<string, { type?: string | string[] }>;
    for (const [key, value] of Object.entries(options)) {
      const schema = declared[key];
      if (!schema) {
        errors.push(`${id}: unknown option "${key}"${Object.keys(declared).length ? ` (options: ${Object.keys(declared).join(', ')})` : ' (it has none)'}`);
        continue;
      }
      const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
      const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'number' && Number.isInteger(value) ? 'integer' : typeof value;
      if (types.length > 0 && !types.includes(actual) && !(actual === 'integer' && types.includes('number'))) {
        errors.push(`${id}: option "${key}" must be ${types.join(' or ')}, not ${actual}`);
      }
    }
  }
  return errors;
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
