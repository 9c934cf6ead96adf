/**
 * The library API. The CLI is a thin layer over these two functions.
 *
 *   import { check, fix } from 'netra-migrate';
 *   const { diagnostics } = await check({ cwd: process.cwd(), paths: ['.'] });
 */
import { basename, dirname, join, resolve } from 'node:path';
import { RunCache } from './core/cache.js';
import { presetNamed, TOOL_CONFIG_FILES, toolConfigStart } from './core/tool-config.js';
import { DEFAULT_PRESET, PRESETS, type PresetName } from './core/rule.js';
import {
  analyzeAll,
  locate,
  runFix,
  withReads,
  type CheckResult,
  type FixOptions,
  type FixResult,
  type RunOptions,
} from './core/engine.js';
import { FileProblemError, type FileProblem, type LocatedDiagnostic } from './core/diagnostic.js';
import { loadToolConfig } from './core/tool-config.js';
import { Workspace } from './core/workspace.js';
import { analyzers } from './analyzers.js';
import { isReadKind } from './file-kinds.js';
import { allRules } from './rules.js';
import { MEASUREMENT_FILE } from './runners/pytest/measurement.js';

function inputs(options: RunOptions): string[] {
  const paths = options.paths.length > 0 ? options.paths : ['.'];
  // A changed tool config (pre-commit passes it in) changes what every config below it reports.
  return [...new Set(paths.map((p) => resolve(options.cwd, p)).map((p) => (basename(p) === '.netra-migrate.json' ? dirname(p) : p)))];
}

/**
 * The tool config (nearest `.netra-migrate.json`, `[tool.netra-migrate]`, package.json key) under the
 * options' own `preset` and `rules`, which win; `toolConfig: false` reads none. A bad config is a FileProblem.
 * An unknown preset in the options is an error thrown to the caller (the CLI checks its flag before).
 */
async function withToolConfig<T extends RunOptions>(options: T): Promise<{ options: T; problem: FileProblem | null }> {
  const start = toolConfigStart(options.cwd, inputs(options));
  if (options.preset !== undefined && presetNamed(options.preset) === null)
    throw new Error(`unknown preset ${JSON.stringify(options.preset)} (presets: ${PRESETS.join(', ')})`);
  const withPreset = (preset: PresetName | undefined): T => ({
    ...options,
    rules: { ...options.baseRules, ...options.rules },
    preset: options.preset ?? preset ?? options.basePreset ?? DEFAULT_PRESET,
  });
  if (options.toolConfig === false) return { options: withPreset(undefined), problem: null };
  try {
    const config = await loadToolConfig(start, allRules);
    if (!config) return { options: withPreset(undefined), problem: null };
    const ignored = options.ignored;
    return {
      options: {
        ...withPreset(config.preset),
        rules: { ...options.baseRules, ...config.rules, ...options.rules },
        ignored: (f: string) => config.ignored(f) || (ignored?.(f) ?? false),
      },
      problem: null,
    };
  } catch (e) {
    if (e instanceof FileProblemError) return { options: withPreset(undefined), problem: e.problem };
    throw e;
  }
}

const failed = (problem: FileProblem) => ({ diagnostics: [], problems: [problem], files: [] });

declare const __NETRA_BUILD__: string | undefined;
/** What a cache is valid for: the bundle's own hash (scripts/build.mjs); from source, this process only. */
const BUILD = typeof __NETRA_BUILD__ === 'string' ? __NETRA_BUILD__ : `source-${process.pid}-${Date.now()}`;

/** The tool config files (and saved measurements) that could apply from `cwd` up: a new or changed one changes the findings. */
function toolConfigCandidates(cwd: string, paths: readonly string[]): string[] {
  // The inputs' directory and its parents down to the root (see toolConfigStart).
  cwd = toolConfigStart(cwd, paths);
  const out: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of TOOL_CONFIG_FILES) out.push(join(dir, name));
    // A measurement saved by `measure --save` changes what single-test-root says.
    out.push(join(dir, MEASUREMENT_FILE));
    if (dirname(dir) === dir) return out;
  }
}

export async function check(options: RunOptions): Promise<CheckResult> {
  const { options: opts, problem } = await withToolConfig(options);
  if (problem) return failed(problem);
  // Unsaved buffers are not what a cached run read: such a run neither replays nor stores one.
  const opened = opts.cache && !opts.buffers?.size ? RunCache.open(opts.cache, BUILD, opts.refreshCache === true) : undefined;
  const cacheNotes = opened?.note ? [opened.note] : [];
  const cache = opened?.usable ? opened : undefined;
  const runInputs = inputs(opts);
  // Tool-config `ignore` globs are a function: the files they leave out show in the result, and the tool
  // config file itself is a dependency of every run (see toolConfigCandidates).
  const key = RunCache.key({
    cwd: resolve(opts.cwd),
    inputs: runInputs,
    preset: opts.preset,
    rules: opts.rules ?? {},
    ignoreFiles: opts.ignoreFiles !== false,
    python: opts.python ?? null,
    measurement: opts.measurement ?? null,
  });
  const hit = opts.refreshCache ? null : cache?.lookup(key);
  if (hit)
    return {
      ...hit,
      preset: opts.preset,
      reads: [],
      cache: { hit: true, filesRead: 0 },
      ...(cacheNotes.length ? { notes: cacheNotes } : {}),
    };
  const ws = new Workspace({
    ignoreFiles: opts.ignoreFiles !== false,
    progress: opts.onProgress,
    reads: isReadKind,
    ...(cache ? { cache } : {}),
    ...(opts.buffers ? { buffers: opts.buffers } : {}),
  });
  const { readsOf, ...result } = await analyzeAll(
    ws,
    analyzers,
    runInputs,
    opts.rules,
    opts.ignored,
    { python: opts.python, measurement: opts.measurement },
    opts.preset,
  );
  const located = { ...result, preset: opts.preset, diagnostics: locate(ws, result.diagnostics) };
  if (cache) {
    const extra = [
      ...toolConfigCandidates(opts.cwd, runInputs),
      ...(opts.measurement ? [opts.measurement] : []),
      ...(ws.ignoreFiles?.probed() ?? []),
    ];
    cache.store(
      key,
      { diagnostics: located.diagnostics.map(withoutFixEdits), problems: located.problems, files: located.files },
      ws.readSignatures(),
      ws.walkOptions.listed ?? [],
      extra,
    );
    cache.save();
  }
  const notes = [...cacheNotes, ...(located.notes ?? [])];
  return withReads(
    { ...located, ...(cache ? { cache: { hit: false, filesRead: ws.reads } } : {}), ...(notes.length ? { notes } : {}) },
    readsOf,
  );
}

/**
 * A finding as the cache keeps it: a replayed `check` reports a fix by its title and applicability only, and
 * the edits of a fix that many findings share (one edit registering 20,000 marks) would be written out once
 * per finding, quadratic in size (issue 26.5: 2.4 GB for one module). `fix` never replays the cache.
 */
function withoutFixEdits(d: LocatedDiagnostic): LocatedDiagnostic {
  return d.fix ? { ...d, fix: { title: d.fix.title, applicability: d.fix.applicability, edits: [] } } : d;
}

/** Compute fixes (and with `write`, apply them). `unsafe` adds fixes that change which tests run or how. */
export async function fix(options: FixOptions): Promise<FixResult> {
  const { options: opts, problem } = await withToolConfig(options);
  if (problem)
    return {
      ...failed(problem),
      changes: [],
      appliedFixes: 0,
      heldBackUnsafe: 0,
      passes: 0,
      written: false,
      writtenFiles: [],
      notWritten: [],
    };
  const ws = new Workspace({
    ignoreFiles: opts.ignoreFiles !== false,
    progress: opts.onProgress,
    reads: isReadKind,
    ...(opts.buffers ? { buffers: opts.buffers } : {}),
  });
  return runFix(ws, analyzers, inputs(opts), opts);
}

export { allRules };
export type { CheckResult, FixOptions, FixResult, RunOptions } from './core/engine.js';
export type { Diagnostic, LocatedDiagnostic, Fix, Edit, FileProblem, Severity, Applicability } from './core/diagnostic.js';
export type { RuleSettings, RuleSetting } from './core/settings.js';
export { PRESETS, type PresetName } from './core/rule.js';
