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

export interface RuleMeta<MessageId extends string, Options> {
  id: string;
  runners: readonly RunnerName[];
  severity: Severity;
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
  /** A finding may be milder or harsher than the rule's default (for example an unknown key is a warning). */
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
