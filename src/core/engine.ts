/**
 * check and fix, runner-independent: collect targets, run rules, locate findings; for fix, apply fixes in
 * passes (ESLint's loop: at most MAX_FIX_PASSES, overlapping fixes wait for the next pass, a repeated state
 * stops the loop), verify every changed file still parses, and only then write, atomically.
 */
import { FileProblemError, type Diagnostic, type FileProblem, type Fix, type LocatedDiagnostic } from './diagnostic.js';
import { dirname, relative, sep } from 'node:path';
import {
  assertInsideBoundary,
  assertUnchanged,
  assertWritable,
  createFileExclusive,
  describeError,
  refuseLink,
  removeStaleTemps,
  specialFileProblem,
  writeFilesAtomic,
  type LoadedFile,
} from './fs.js';
import { applyFixes, MAX_FIX_PASSES } from './fixer.js';
import { applySuppressions, unusedSuppression } from './suppressions.js';
import { DEFAULT_PRESET, formatMessage, presetSeverity, type PresetName, type Rule } from './rule.js';
import { resolveRule, type RuleSettings } from './settings.js';
import { LineIndex } from './text.js';
import { Workspace } from './workspace.js';

export interface Analyzer {
  /** What the analyzer reads, for `--show-files` and `--stats` (`pytest`, `compose`, `jest/vitest`). */
  name?: string;
  /** Every rule this analyzer can run (suppressions may name any of them). */
  rules: readonly Rule<any, string, any>[];
  /** The files it reads, as regular expressions over a `/`-separated path's end (the pre-commit `files` pattern is built from them). */
  filePatterns?: readonly string[];
  /** Targets of this runner under the given inputs, each with the rules that apply to it. */
  analyze(
    ws: Workspace,
    inputs: readonly string[],
    ignored?: (file: string) => boolean,
    env?: AnalysisEnvironment,
  ): Promise<AnalyzerOutput>;
  /** Whether a changed file still reads (a fix must never produce a file its runner cannot read). */
  verify(ws: Workspace, file: string, env?: AnalysisEnvironment): FileProblem | null | Promise<FileProblem | null>;
  /** Files generated from the fixed configs on request (pytest's `--profile docker`): whole texts, not fixes. */
  derive?(
    ws: Workspace,
    inputs: readonly string[],
    profiles: readonly string[],
  ): { files: { path: string; text: string }[]; problems: FileProblem[] };
}

/** What a run knows about the environment the tests run in (`--python`). */
export interface AnalysisEnvironment {
  /** A Python interpreter whose installed packages tell which pytest plugins exist. */
  python?: string;
  /** `check --measurement FILE`: a saved `measure` result for single-test-root to cite. */
  measurement?: string;
}

export interface AnalyzerOutput {
  runs: { rule: Rule<any, string, any>; target: unknown }[];
  problems: FileProblem[];
  files: string[];
  /**
   * What each file it read is to this analyzer (`config`, `conftest`, `test module`, `workflow`), for
   * `--show-files`: its targets, and the files it read and then set aside. A file no analyzer names was
   * read to decide something (a sibling config, a package.json).
   */
  kinds?: ReadonlyMap<string, string>;
}

export interface RunOptions {
  /** Directory relative paths are resolved against (and shown relative to). */
  cwd: string;
  /** Files and directories to check (absolute or relative to cwd). */
  paths: readonly string[];
  rules?: RuleSettings;
  /**
   * The preset the rules' levels come from (`recommended` by default; `strict` makes the migration's policy
   * errors). `rules` apply on top. Without it, the tool config's `preset` key decides.
   */
  preset?: PresetName;
  /** A preset under the tool config's (an editor's setting): the tool config's `preset`, then `preset`, win over it. */
  basePreset?: PresetName;
  /** Read no tool config file (`.netra-migrate.json` and the like); the default reads the nearest. */
  toolConfig?: false;
  /** `false`: read no .gitignore, .ignore or .git/info/exclude (the default leaves out what they ignore). */
  ignoreFiles?: false;
  /** Directory of the cache for repeat runs of `check` (see core/cache.ts); none by default. */
  cache?: string | false;
  /** With `cache`: never replay a stored run, only store this one, and only in a cache folder that exists (`--no-cache`). */
  refreshCache?: boolean;
  /** Called as sources are read (`done` of `total`), for a progress line. */
  onProgress?: (done: number, total: number) => void;
  /** Files not to read or report (the tool config's `ignore` globs). */
  ignored?: (file: string) => boolean;
  /** `--python PATH`: the interpreter whose installed plugins pytest would load. */
  python?: string;
  /** `--measurement FILE`: a saved `measure` result (default: the nearest `.netra-migrate-cache/measurement.json`). */
  measurement?: string;
  /**
   * Texts to read instead of the files on disk, by absolute path (an editor's unsaved buffers; see
   * Workspace). A run with buffers uses no cache.
   */
  buffers?: ReadonlyMap<string, string>;
  /** Rule settings under the tool config's (an editor's settings): the tool config, then `rules`, win over them. */
  baseRules?: RuleSettings;
}

export interface CheckResult {
  diagnostics: LocatedDiagnostic[];
  /** The preset the run's levels came from (the option, else the tool config's, else `recommended`). */
  preset?: PresetName;
  problems: FileProblem[];
  files: string[];
  /** Directories not entered on purpose (template trees), with why. */
  skipped?: { dir: string; reason: string }[];
  /** Every file the run read, with why (`check --show-files`): computed when first asked for (see withReads). */
  reads?: FileRead[];
  /** Time per analyzer and per rule, and findings per rule (`check --stats`). */
  stats?: RunStats;
  /** With a cache: whether the whole result came from it, and how many files this run read. */
  cache?: { hit: boolean; filesRead: number };
  /**
   * What the run says once on stderr besides its findings: a cache not used or rebuilt, a project interpreter
   * tried and left out, and why (`file` names what it is about, where one file is).
   */
  notes?: { file?: string; message: string }[];
}

export interface FileRead {
  file: string;
  /** Which analyzer took it as a target, or `read` for a file read to decide something (a sibling config, a package.json). */
  reason: string;
  /** What the file is to that analyzer (`config`, `test module`, `workflow`), as the analyzer says. */
  kind?: string;
}

/**
 * The result with `reads` as a getter computed once, when first read: only `--show-files` and `--stats` ask,
 * so a run or a fix pass spends nothing on sorting the paths it read (or on checking failed ones exist).
 */
export function withReads<T extends object>(result: T, compute: () => FileRead[]): T & { reads: FileRead[] } {
  let reads: FileRead[] | undefined;
  return Object.defineProperty(result, 'reads', { get: () => (reads ??= compute()), enumerable: true, configurable: true }) as T & {
    reads: FileRead[];
  };
}

export interface RunStats {
  analyzers: Record<string, { ms: number; files: number }>;
  rules: Record<string, { ms: number; findings: number }>;
}

export async function analyzeAll(
  ws: Workspace,
  analyzers: readonly Analyzer[],
  inputs: readonly string[],
  rules?: RuleSettings,
  ignored?: (file: string) => boolean,
  env?: AnalysisEnvironment,
  preset: PresetName = DEFAULT_PRESET,
) {
  const diagnostics: Diagnostic[] = [];
  const problems: FileProblem[] = [];
  const files = new Set<string>();
  const kinds = new Map<string, { analyzer: string; kind: string }>();
  const stats: RunStats = { analyzers: {}, rules: {} };
  const knownRules = new Set<string>([unusedSuppression.meta.id]);
  for (const analyzer of analyzers) {
    for (const rule of analyzer.rules) knownRules.add(rule.meta.id);
    const name = analyzer.name ?? 'other';
    const started = performance.now();
    const out = await analyzer.analyze(ws, inputs, ignored, env);
    const analyzerStats = (stats.analyzers[name] ??= { ms: 0, files: 0 });
    analyzerStats.ms += performance.now() - started;
    analyzerStats.files += out.files.length;
    problems.push(...out.problems);
    for (const f of out.files) files.add(f);
    // The first analyzer that names a file's kind gives the reason it was read.
    for (const [f, kind] of out.kinds ?? []) if (!kinds.has(f)) kinds.set(f, { analyzer: name, kind });
    const broken = out.problems.map((p) => p.file);
    for (const { rule, target } of out.runs) {
      const ruleStarted = performance.now();
      const resolved = resolveRule(rules, rule.meta.id, rule.meta.defaultOptions);
      if (!resolved.enabled) continue;
      const targetFile = (target as { config?: { file: string }; file?: string }).config?.file ?? (target as { file?: string }).file ?? '';
      const first = diagnostics.length;
      const watched = broken.length > 0 ? watchSources(target) : { target, readSources: () => false };
      try {
        await rule.check(
          {
            options: resolved.options,
            read: (path) => ws.text(path),
            report(input) {
              diagnostics.push({
                file: input.file ?? targetFile,
                start: input.start,
                end: input.end,
                rule: rule.meta.id,
                // An option's threshold, then the user's level, then the finding's own, then the preset's.
                severity: input.optionSeverity ?? resolved.severity ?? input.severity ?? presetSeverity(rule.meta.severity, preset),
                message: formatMessage(rule.meta.messages[input.messageId] ?? input.messageId, input.data),
                messageId: input.messageId,
                ...(input.data ? { data: input.data } : {}),
                ...(input.fix ? { fix: input.fix } : {}),
                ...(input.suggest?.length ? { suggestions: input.suggest } : {}),
              });
            },
          },
          watched.target,
        );
      } catch (e) {
        if (e instanceof FileProblemError) problems.push(e.problem);
        else throw e;
      }
      // A fix is derived from a broken file when that file is the target's own, or a source under the
      // target's directory and the rule read the target's sources: such a fix is held back (issue 20.6).
      const heldBy = broken.find((b) => b === targetFile || (watched.readSources() && isInside(b, dirname(targetFile))));
      if (heldBy !== undefined) for (let i = first; i < diagnostics.length; i++) if (diagnostics[i]!.fix) diagnostics[i]!.heldBy = heldBy;
      const ruleStats = (stats.rules[rule.meta.id] ??= { ms: 0, findings: 0 });
      ruleStats.ms += performance.now() - ruleStarted;
      ruleStats.findings += diagnostics.length - first;
    }
  }
  const texts = new Map<string, string>();
  for (const file of new Set([...files, ...diagnostics.map((d) => d.file)])) {
    const text = ws.text(file);
    if (text !== null) texts.set(file, text);
  }
  const unused = resolveRule(rules, unusedSuppression.meta.id, {});
  const reported = ignored ? diagnostics.filter((d) => !ignored(d.file)) : diagnostics;
  const kept = applySuppressions(reported, texts, knownRules, (id) => resolveRule(rules, id, {}).enabled, {
    report: unused.enabled,
    severity: unused.severity ?? presetSeverity(unusedSuppression.meta.severity, preset),
  });
  problems.push(...ws.walkProblems);
  // A FIFO, socket or device named on the command line is an error whatever its name, also where no analyzer
  // takes it as a target (a conftest.py, a test module): it is never accepted in silence.
  for (const input of inputs) {
    const special = specialFileProblem(input);
    if (special) problems.push(special.problem);
  }
  const shown = ignored ? problems.filter((p) => !ignored(p.file)) : problems;
  const readFiles = ws.readFilesLater();
  const readsOf = (): FileRead[] =>
    readFiles()
      .filter((f) => !ignored?.(f))
      .sort()
      .map((file) => {
        const k = kinds.get(file);
        return k ? { file, reason: k.analyzer, kind: k.kind } : { file, reason: 'read' };
      });
  return {
    diagnostics: kept,
    problems: dedupeProblems(shown),
    files: [...files].filter((f) => !ignored?.(f)).sort(),
    skipped: [...ws.skipped].map(([dir, reason]) => ({ dir, reason })).sort((a, b) => (a.dir < b.dir ? -1 : 1)),
    ...(ws.notes.size > 0 ? { notes: [...ws.notes].map((message) => ({ message })) } : {}),
    readsOf,
    stats,
  };
}

function isInside(file: string, dir: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..';
}

/** The target as the rule sees it, noting whether the rule read its parsed sources (`sources`). */
function watchSources(target: unknown): { target: unknown; readSources: () => boolean } {
  if (typeof target !== 'object' || target === null || !('sources' in target)) return { target, readSources: () => false };
  let read = false;
  const proxy = new Proxy(target, {
    get(obj, key, receiver) {
      if (key === 'sources') read = true;
      return Reflect.get(obj, key, receiver) as unknown;
    },
  });
  return { target: proxy, readSources: () => read };
}

function dedupeProblems(problems: FileProblem[]): FileProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}:${p.line}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function locate(ws: Workspace, diagnostics: readonly Diagnostic[]): LocatedDiagnostic[] {
  const indexes = new Map<string, LineIndex>();
  const indexOf = (file: string) => {
    let index = indexes.get(file);
    if (!index) {
      index = new LineIndex(ws.text(file) ?? '');
      indexes.set(file, index);
    }
    return index;
  };
  const range = (file: string, start: number, end: number) => {
    const s = indexOf(file).position(start);
    const e = indexOf(file).position(end);
    return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  };
  const out: LocatedDiagnostic[] = diagnostics.map(({ suggestions, ...d }) => ({
    ...d,
    ...range(d.file, d.start, d.end),
    ...(suggestions
      ? {
          suggestions: suggestions.map((s) => ({
            title: s.title,
            edits: s.edits.map((e) => ({ ...e, ...range(e.file, e.start, e.end) })),
          })),
        }
      : {}),
  }));
  return out.sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : 1),
  );
}

export interface FixOptions extends RunOptions {
  unsafe?: boolean;
  write?: boolean;
  /** Profiles to generate next to each main config, from its fixed text (pytest: `docker`, `collection`). */
  profiles?: readonly string[];
}

export interface FileChange {
  file: string;
  before: string;
  after: string;
  /** A new file (a module a fix installs). */
  created: boolean;
}

export interface FixResult extends CheckResult {
  changes: FileChange[];
  appliedFixes: number;
  /** Unsafe fixes that were available but not applied (no `unsafe`). */
  heldBackUnsafe: number;
  passes: number;
  /** Whether anything was written. */
  written: boolean;
  /** With `write`: the files written (changed or created), and those held back with the reason. */
  writtenFiles: string[];
  notWritten: { file: string; reason: string }[];
}

/**
 * Files a pass edited together (one fix's edits span them): writing one without the other would leave a
 * half-applied fix, so a file held back holds back its whole group.
 */
class EditGroups {
  private readonly parent = new Map<string, string>();
  find(file: string): string {
    let root = file;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    return root;
  }
  join(files: readonly string[]): void {
    const [first, ...rest] = files.map((f) => this.find(f));
    for (const r of rest) if (r !== first) this.parent.set(r, first!);
  }
}

export async function runFix(
  ws: Workspace,
  analyzers: readonly Analyzer[],
  inputs: readonly string[],
  options: FixOptions,
): Promise<FixResult> {
  const wanted = (fix: Fix) => fix.applicability === 'safe' || options.unsafe === true;
  // States are kept as hashes: a whole-tree snapshot per pass would hold every fixed text again.
  const stateOf = () => ws.stateDigest();
  const seen = new Set<string>([stateOf()]);
  let appliedFixes = 0;
  let passes = 0;
  let result = await analyzeAll(ws, analyzers, inputs, options.rules, options.ignored, { python: options.python }, options.preset);
  // Never fix a file that failed to read or parse, nor apply a fix derived from one (`heldBy`); a problem
  // seen once keeps blocking that file even if a later pass no longer reads it. Other files are fixed.
  const initialProblems = result.problems;
  const blocked = new Set(initialProblems.map((p) => p.file));
  const groups = new EditGroups();
  for (; passes < MAX_FIX_PASSES;) {
    const fixes = result.diagnostics.flatMap((d) =>
      d.fix && wanted(d.fix) && d.heldBy === undefined && !d.fix.edits.some((e) => blocked.has(e.file)) ? [d.fix] : [],
    );
    if (fixes.length === 0) break;
    const { texts, applied } = applyFixes(fixes, (f) => ws.text(f) ?? '');
    if (applied.length === 0) break;
    passes++;
    for (const fix of applied) groups.join(fix.edits.map((e) => e.file));
    for (const [file, text] of texts) ws.setText(file, text);
    appliedFixes += applied.length;
    const state = stateOf();
    if (seen.has(state)) break;
    seen.add(state);
    result = await analyzeAll(ws, analyzers, inputs, options.rules, options.ignored, { python: options.python }, options.preset);
    for (const p of result.problems) blocked.add(p.file);
  }
  const derivedProblems: FileProblem[] = [];
  if (options.profiles && options.profiles.length > 0) {
    for (const analyzer of analyzers) {
      const derived = analyzer.derive?.(ws, inputs, options.profiles);
      if (!derived) continue;
      derivedProblems.push(...derived.problems);
      for (const file of derived.files) if (ws.text(file.path) !== file.text) ws.setText(file.path, file.text);
    }
  }
  const changes = ws
    .changed()
    .map(({ file, text, created }) => ({ file: file.path, before: file.text, after: text, created }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const problems = dedupeProblems([...initialProblems, ...result.problems, ...derivedProblems]);
  /** Changed files that must not be written, with why. */
  const held = new Map<string, string>();
  const changedFiles = new Set(changes.map((c) => c.file));
  for (const p of problems) if (changedFiles.has(p.file)) held.set(p.file, p.message);
  // A created file is whole text the fix ships (the monitor module, tested on its own), not a splice of
  // the user's text; verifying it would load a parser a config-only run never needs.
  const verified = changes.filter((c) => !c.created);
  for (const [i, verdicts] of verifyAhead(ws, analyzers, verified, { python: options.python })) {
    for (const problem of await verdicts) {
      const change = verified[i]!;
      if (problem) {
        const { asRead, ...where } = problem;
        const message = asRead ? problem.message : `a fix produced a file that does not parse, so it is not written: ${problem.message}`;
        problems.push({ ...where, message });
        held.set(change.file, asRead ? 'the file as read does not parse' : 'a fix produced a file that does not parse');
      }
    }
  }
  const writtenFiles: string[] = [];
  const notWritten: { file: string; reason: string }[] = [];
  // Temporary files of earlier runs killed before they could remove them (SIGKILL) go with any write run.
  if (options.write) removeStaleTemps(ws.tempFiles());
  if (options.write && changes.length > 0) {
    const pending = ws.changed();
    // Check every file first (boundary, links, write bits, changed on disk), so a file that cannot be
    // written holds back its group before anything of that group is written.
    for (const { file, created } of pending) {
      if (held.has(file.path)) continue;
      try {
        assertInsideBoundary(file.path, options.cwd);
        refuseLink(file.path);
        if (!created) {
          assertWritable(file);
          assertUnchanged(file);
        }
      } catch (e) {
        if (!(e instanceof FileProblemError)) throw e;
        problems.push(e.problem);
        held.set(file.path, e.problem.message);
      }
    }
    // Each group held back, with the first of its files held (named in the reason).
    const heldGroups = new Map<string, string>();
    for (const f of held.keys()) if (!heldGroups.has(groups.find(f))) heldGroups.set(groups.find(f), f);
    // What became of each pending file, reported in their order: held back (a reason), or a write problem.
    const outcomes = new Map<string, { reason: string } | { problem: FileProblemError | null }>();
    const rewrites: { file: LoadedFile; text: string }[] = [];
    for (const { file, text, created } of pending) {
      const heldWith = heldGroups.get(groups.find(file.path));
      const reason = held.get(file.path) ?? (heldWith !== undefined ? `a fix also edits ${heldWith}, which is not written` : undefined);
      if (reason !== undefined) outcomes.set(file.path, { reason });
      else if (!created) rewrites.push({ file, text });
      else {
        try {
          createNew(file.path, text);
          outcomes.set(file.path, { problem: null });
        } catch (e) {
          if (!(e instanceof FileProblemError)) throw e;
          outcomes.set(file.path, { problem: e });
        }
      }
    }
    // Rewrites in batches, flushed together (see writeFilesAtomic): one flush after another was most of a large --write.
    await writeFilesAtomic(rewrites, (file, problem) => outcomes.set(file.path, { problem }));
    for (const { file } of pending) {
      const outcome = outcomes.get(file.path)!;
      if ('reason' in outcome) notWritten.push({ file: file.path, reason: outcome.reason });
      else if (outcome.problem === null) writtenFiles.push(file.path);
      else {
        problems.push(outcome.problem.problem);
        notWritten.push({ file: file.path, reason: outcome.problem.problem.message });
      }
    }
    // What remains is judged on what is on disk now: the files not written go back to their read text.
    if (notWritten.length > 0) {
      for (const { file } of notWritten) ws.revert(file);
      result = await analyzeAll(ws, analyzers, inputs, options.rules, options.ignored, { python: options.python }, options.preset);
    }
  }
  const heldBackUnsafe = options.unsafe ? 0 : result.diagnostics.filter((d) => d.fix?.applicability === 'unsafe').length;
  return withReads(
    {
      diagnostics: locate(ws, result.diagnostics),
      preset: options.preset ?? DEFAULT_PRESET,
      problems: dedupeProblems(problems),
      files: result.files,
      skipped: result.skipped,
      ...(result.notes ? { notes: result.notes } : {}),
      stats: result.stats,
      changes,
      appliedFixes,
      heldBackUnsafe,
      passes,
      written: writtenFiles.length > 0,
      writtenFiles: writtenFiles.sort(),
      notWritten: notWritten.sort((a, b) => (a.file < b.file ? -1 : 1)),
    },
    result.readsOf,
  );
}

/**
 * The verifiers' verdicts on each changed file, in order, started a few files ahead of the one awaited: a
 * verifier that asks another process (CPython) works while this one parses the next file, and a run over
 * thousands of changed files holds only a few verdicts at a time.
 */
function* verifyAhead(
  ws: Workspace,
  analyzers: readonly Analyzer[],
  changes: readonly { file: string }[],
  env: AnalysisEnvironment,
): Generator<[number, Promise<(FileProblem | null)[]>]> {
  const AHEAD = 8;
  const started = new Map<number, Promise<(FileProblem | null)[]>>();
  const start = (i: number) => {
    const verdicts = Promise.all(analyzers.map(async (a) => await a.verify(ws, changes[i]!.file, env)));
    // Awaited in turn below; a rejection must not count as unhandled while it waits.
    verdicts.catch(() => undefined);
    started.set(i, verdicts);
  };
  for (let i = 0; i < changes.length; i++) {
    for (let j = i; j < Math.min(changes.length, i + AHEAD); j++) if (!started.has(j)) start(j);
    yield [i, started.get(i)!];
    started.delete(i);
  }
}

function createNew(path: string, text: string): void {
  // A dangling link under the new file's name is named as such, not "appeared on disk".
  refuseLink(path);
  try {
    createFileExclusive(path, text);
  } catch (error) {
    const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
    throw new FileProblemError({
      file: path,
      message: exists
        ? 'file appeared on disk since the run started; nothing more written, run again'
        : `cannot create file: ${describeError(error)}`,
    });
  }
}
