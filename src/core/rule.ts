import type { Applicability, Edit, Severity, Suggestion } from './diagnostic.js';

export type RunnerName = 'pytest' | 'jest' | 'vitest';
/** `suggestion`: the rule proposes edits with its findings but `fix` never applies them (see `Suggestion`). */
export type FixKind = 'safe' | 'unsafe' | 'sometimes' | 'suggestion' | 'none';

export interface RuleDocs {
  /** What it does. */
  what: string;
  /** Why is this bad? */
  why: string;
  /** A file that fires and the same file as the rule wants it; `file` names the file type. */
  example: { file: string; bad: string; good: string; /** Other files the example needs beside it. */ beside?: Record<string, string> };
  /** Fix safety: what the fix changes, and why it is safe or unsafe. */
  fixSafety: string;
}

export interface JsonSchema {
  [key: string]: unknown;
}

/**
 * The presets, typescript-eslint's recommended/strict: `recommended` (the default) makes an error only of a
 * run that is broken or silently not what its config says; `strict` adds the migration's policy (one root,
 * function-wide loops, a timeout and a memory limit everywhere) as errors.
 */
export const PRESETS = ['recommended', 'strict'] as const;
export type PresetName = (typeof PRESETS)[number];
export const DEFAULT_PRESET: PresetName = 'recommended';

/**
 * A rule's level under each preset: one severity for every preset, or one per preset. It is the level of the
 * rule's *policy* findings (those that set no severity of their own); a finding that sets one keeps it under
 * every preset (a milder note, or an error for a run that is broken whatever the policy).
 */
export type PresetSeverity = Severity | Readonly<Record<PresetName, Severity>>;

export function presetSeverity(severity: PresetSeverity, preset: PresetName): Severity {
  return typeof severity === 'string' ? severity : severity[preset];
}

/**
 * Each runner family's level under one preset: a rule shared by several runners keeps each variant's own
 * (`pytest: error, jest/vitest: warning`); one level when they agree.
 */
export function runnerSeverities(meta: RuleMeta<string, unknown>, preset: PresetName): string {
  const variants = meta.variants ?? [];
  const own = meta.runners.filter((r) => !variants.some((v) => v.runners.includes(r)));
  const groups = [{ runners: own, severity: presetSeverity(meta.severity, preset) }]
    .concat(variants.map((v) => ({ runners: [...v.runners], severity: presetSeverity(v.severity, preset) })))
    .filter((g) => g.runners.length > 0);
  if (new Set(groups.map((g) => g.severity)).size <= 1) return groups[0]?.severity ?? presetSeverity(meta.severity, preset);
  return groups.map((g) => `${g.runners.join('/')}: ${g.severity}`).join(', ');
}

/** A rule's levels under every preset (`recommended: warning; strict: error`), or `every preset: error` when they agree. */
export function presetLevels(meta: RuleMeta<string, unknown>): string {
  const levels = PRESETS.map((p) => runnerSeverities(meta, p));
  return new Set(levels).size === 1 ? `every preset: ${levels[0]}` : PRESETS.map((p, i) => `${p}: ${levels[i]}`).join('; ');
}

export interface RuleMeta<MessageId extends string, Options> {
  id: string;
  runners: readonly RunnerName[];
  /** The level of its policy findings under each preset (see PresetSeverity). */
  severity: PresetSeverity;
  fix: FixKind;
  /** One line, shown by `netra-migrate rules` and SARIF. */
  description: string;
  messages: Record<MessageId, string>;
  options: JsonSchema;
  defaultOptions: Options;
  docs: RuleDocs;
  /** The rule reports on test sources (conftest.py, test modules): it runs when only .py files are given. */
  sources?: boolean;
  /** The same rule for other runners (set by the registry, src/rules.ts): documented on the same page. */
  variants?: readonly RuleMeta<string, any>[];
}

export interface FixInput {
  title: string;
  applicability: Applicability;
  edits: Edit[];
}

export interface ReportInput<MessageId extends string> {
  messageId: MessageId;
  data?: Record<string, string | number>;
  file?: string;
  start: number;
  end: number;
  /**
   * A finding's own level, kept under every preset: milder than the rule's (an unknown key of an undeclared
   * plugin is a warning, a coverage run an info note), or `error` for a run that is broken whatever the policy
   * (a timeout of 0). Without one, the finding is a policy finding and takes the preset's level for the rule.
   */
  severity?: Severity;
  /** A severity one of the rule's options asked for (a threshold crossed): it wins over the level the user set. */
  optionSeverity?: Severity;
  fix?: FixInput | null;
  /** Edits shown with the finding and never applied by `fix` (ESLint's `suggest`). */
  suggest?: Suggestion[];
}

export interface RuleContext<MessageId extends string, Options> {
  readonly options: Options;
  report(input: ReportInput<MessageId>): void;
  /**
   * A file's current text as this pass sees it (fixes of earlier passes applied), or null when it cannot
   * be read. Rules read through the run, never from disk, so every rule judges the text the fixer holds.
   */
  read(path: string): string | null;
}

export interface Rule<Target, MessageId extends string = string, Options = unknown> {
  meta: RuleMeta<MessageId, Options>;
  check(ctx: RuleContext<MessageId, Options>, target: Target): void | Promise<void>;
}

/** A typed rule: messages are referenced by id, so a typo fails to compile. */
export function defineRule<Target, MessageId extends string, Options>(
  rule: Rule<Target, MessageId, Options>,
): Rule<Target, MessageId, Options> {
  return rule;
}

export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in data ? String(data[name]) : whole));
}
