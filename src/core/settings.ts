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
