import type { FileProblem, LocatedDiagnostic } from '../core/diagnostic.js';

export interface ReportInput {
  diagnostics: readonly LocatedDiagnostic[];
  problems: readonly FileProblem[];
  /** Directory paths are shown relative to (json, stylish). */
  cwd: string;
  color: boolean;
  /** Fixes that `fix --write` would apply, and unsafe ones that need `--unsafe` too. */
  fixable: { safe: number; unsafe: number };
  /** The tool and its rules, for formats that describe them (SARIF). */
  tool: { version: string; rules: readonly RuleInfo[] };
}

export interface RuleInfo {
  id: string;
  description: string;
  severity: 'error' | 'warning' | 'info';
  fix: string;
  docs: { what: string; why: string; fixSafety: string };
}

/** A reporter is a pure function from findings to text. */
export type Reporter = (input: ReportInput) => string;
