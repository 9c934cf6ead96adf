/**
 * The library API. The CLI is a thin layer over these two functions.
 *
 *   import { check, fix } from 'netra-migrate';
 *   const { diagnostics } = await check({ cwd: process.cwd(), paths: ['.'] });
 */
import { basename, dirname, resolve } from 'node:path';
import { analyzeAll, locate, runFix, type CheckResult, type FixOptions, type FixResult, type RunOptions } from './core/engine.js';
import { FileProblemError, type FileProblem } from './core/diagnostic.js';
import { loadToolConfig } from './core/tool-config.js';
import { Workspace } from './core/workspace.js';
import { analyzers } from './analyzers.js';
import { allRules } from './rules.js';

function inputs(options: RunOptions): string[] {
  const paths = options.paths.length > 0 ? options.paths : ['.'];
  // A changed tool config (pre-commit passes it in) changes what every config below it reports.
  return [...new Set(paths.map((p) => resolve(options.cwd, p)).map((p) => (basename(p) === '.netra-migrate.json' ? dirname(p) : p)))];
}

/**
 * The tool config (nearest `.netra-migrate.json`, `[tool.netra-migrate]`, package.json key) under the
 * options' own `rules`, which win; `toolConfig: false` reads none. A bad config is a FileProblem.
 */
async function withToolConfig<T extends RunOptions>(options: T): Promise<{ options: T; problem: FileProblem | null }> {
  if (options.toolConfig === false) return { options, problem: null };
  try {
    const config = await loadToolConfig(options.cwd, allRules);
    if (!config) return { options, problem: null };
    const ignored = options.ignored;
    return {
      options: { ...options, rules: { ...config.rules, ...options.rules }, ignored: (f: string) => config.ignored(f) || (ignored?.(f) ?? false) },
      problem: null,
    };
  } catch (e) {
    if (e instanceof FileProblemError) return { options, problem: e.problem };
    throw e;
  }
}

const failed = (problem: FileProblem) => ({ diagnostics: [], problems: [problem], files: [] });

export async function check(options: RunOptions): Promise<CheckResult> {
  const { options: opts, problem } = await withToolConfig(options);
  if (problem) return failed(problem);
  const ws = new Workspace({ ignoreFiles: opts.ignoreFiles !== false, progress: opts.onProgress });
  const result = await analyzeAll(ws, analyzers, inputs(opts), opts.rules, opts.ignored, { python: opts.python });
  return { ...result, diagnostics: locate(ws, result.diagnostics) };
}

/** Compute fixes (and with `write`, apply them). `unsafe` adds fixes that change which tests run or how. */
export async function fix(options: FixOptions): Promise<FixResult> {
  const { options: opts, problem } = await withToolConfig(options);
  if (problem) return { ...failed(problem), changes: [], appliedFixes: 0, heldBackUnsafe: 0, passes: 0, written: false, writtenFiles: [], notWritten: [] };
  return runFix(new Workspace({ ignoreFiles: opts.ignoreFiles !== false, progress: opts.onProgress }), analyzers, inputs(opts), opts);
}

export { allRules };
export type { CheckResult, FixOptions, FixResult, RunOptions } from './core/engine.js';
export type { Diagnostic, LocatedDiagnostic, Fix, Edit, FileProblem, Severity, Applicability } from './core/diagnostic.js';
export type { RuleSettings, RuleSetting } from './core/settings.js';
