/**
 * The library API. The CLI is a thin layer over these two functions.
 *
 *   import { check, fix } from 'netra-migrate';
 *   const { diagnostics } = await check({ cwd: process.cwd(), paths: ['.'] });
 */
import { resolve } from 'node:path';
import { analyzeAll, locate, runFix, type CheckResult, type FixOptions, type FixResult, type RunOptions } from './core/engine.js';
import { Workspace } from './core/workspace.js';
import { pytestAnalyzer } from './runners/pytest/index.js';
import { allRules } from './rules.js';

const analyzers = [pytestAnalyzer];

function inputs(options: RunOptions): string[] {
  const paths = options.paths.length > 0 ? options.paths : ['.'];
  return paths.map((p) => resolve(options.cwd, p));
}

export async function check(options: RunOptions): Promise<CheckResult> {
  const ws = new Workspace();
  const result = await analyzeAll(ws, analyzers, inputs(options), options.rules);
  return { ...result, diagnostics: locate(ws, result.diagnostics) };
}

/** Compute fixes (and with `write`, apply them). `unsafe` adds fixes that change which tests run or how. */
export async function fix(options: FixOptions): Promise<FixResult> {
  return runFix(new Workspace(), analyzers, inputs(options), options);
}

export { allRules };
export type { CheckResult, FixOptions, FixResult, RunOptions } from './core/engine.js';
export type { Diagnostic, LocatedDiagnostic, Fix, Edit, FileProblem, Severity, Applicability } from './core/diagnostic.js';
export type { RuleSettings, RuleSetting } from './core/settings.js';
