/**
 * The cache for repeat runs of `check` (`.netra-migrate-cache/` in the working directory; `--no-cache`).
 * Two layers, both keyed by the netra-migrate build:
 *
 * - Whole runs, keyed by the inputs, the working directory, the rule settings in force (flags and tool
 *   config) and the walk's settings, and valid while every file the run depended on has the size and
 *   modification time it had (like Ruff's cache) and every directory it listed has its modification time
 *   (a file added or removed). "Depended on" is every file it read, every file beside those (a rule may read
 *   a requirements file next to a config), the tool config candidates from the working directory up and the
 *   ignore files. A hit replays the findings without reading a file.
 * - Facts about single files, keyed by path, size and modification time: what the text prefilter learned
 *   about a test module (a pure function of its text). When something did change, a module whose facts say
 *   no rule can report on it is not read again; its config's current settings decide (registered marks).
 *
 * Findings themselves are never cached per file: they depend on the governing config, the conftest files and
 * the other modules (a fix for every mark at once), so rules always run on the whole current picture.
 */
import { lstatSync, mkdirSync, readdirSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { CheckResult } from './engine.js';
import { FileProblemError } from './diagnostic.js';
import { isTempName, readRegularFile, removeStaleTemps } from './fs.js';

/**
 * Size, modification time, change time and inode (as git's index keys a file), or null for a file that did
 * not exist. A user can restore the mtime (`touch -d`) after an edit of the same size; not the ctime, which
 * the kernel sets on every change (also by `touch`), nor the inode of a file replaced by a rename.
 */
type Signature = string | null;

/** What a signature is made of: a Stats, or what the workspace kept of one when it read the file. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

export const stampSignature = (s: FileStamp): string => `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}`;

function signature(path: string): Signature {
  try {
    return stampSignature(statSync(path));
  } catch {
    return null;
  }
}

/**
 * The cache is read through readRegularFile (never a FIFO, a device or a link to one) and only up to this
 * size: a cache of 8 runs over a repository of tens of thousands of files stays far below it.
 */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;

interface StoredRun {
  /** Path → signature: files the run depended on, and directories (their modification time). */
  deps: Record<string, Signature>;
  result: Pick<CheckResult, 'diagnostics' | 'problems' | 'files'>;
}

interface StoredCache {
  build: string;
  runs: Record<string, StoredRun>;
  facts: Record<string, { sig: string; value: unknown }>;
}

/** How many whole runs one cache keeps (different paths or settings), the oldest dropped first. */
const MAX_RUNS = 8;

export const CACHE_DIR = '.netra-migrate-cache';

export class RunCache {
  private readonly file: string;
  private readonly dir: string;
  private readonly stored: StoredCache;
  /** Whether the folder may be written (not a link, inside the working directory, a directory). */
  readonly usable: boolean;
  /** Why the cache was not used or was rebuilt (said once on stderr), or null. */
  readonly note: { file: string; message: string } | null;
  /** Facts of this run only: facts of files no longer seen are dropped at save. */
  private readonly usedFacts = new Map<string, { sig: string; value: unknown }>();
  /** Facts looked up (hit) and files read (miss) in this run, for tests and `--stats`. */
  factHits = 0;

  private constructor(dir: string, build: string, usable: boolean, note: RunCache['note'], read = true) {
    this.dir = dir;
    this.file = join(dir, 'cache.json');
    this.usable = usable;
    let stored: StoredCache | null = null;
    let problem: string | null = null;
    if (usable && read) {
      try {
        lstatSync(this.file);
        const data: unknown = JSON.parse(readRegularFile(this.file, MAX_CACHE_BYTES).bytes.toString('utf8'));
        if (validCache(data, build)) stored = data;
        else if ((data as { build?: unknown } | null)?.build === build) problem = 'it does not have the shape this build writes';
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // No cache yet is the normal first run; anything else is said, and the run works without it.
        if (code !== 'ENOENT' && code !== 'ENOTDIR')
          problem = error instanceof FileProblemError ? error.problem.message : `not valid JSON (${(error as Error).message})`;
      }
    }
    this.note = note ?? (problem === null ? null : { file: this.file, message: `cache ignored and rebuilt: ${problem}` });
    this.stored = stored ?? { build, runs: {}, facts: {} };
  }

  /**
   * Open the cache in `dir` (creating it first, so creating it never changes what the run lists). With
   * `refresh` (`--no-cache`) nothing stored is read, and an existing cache is rewritten with this run only
   * (so a later run does not replay what this one found stale); none is created. The cache obeys the write
   * boundary fixes obey: a folder that is a symbolic link, or whose real path is not the working directory's
   * own `dir`, or that is not a directory, is not used at all (the note says why).
   */
  static open(dir: string, build: string, refresh = false): RunCache {
    let stat;
    try {
      stat = lstatSync(dir);
    } catch {
      stat = null;
    }
    const refuse = (why: string) => new RunCache(dir, build, false, { file: dir, message: `cache not used: ${why}` });
    if (stat?.isSymbolicLink()) return refuse('it is a symbolic link; netra-migrate does not write through links');
    if (stat && !stat.isDirectory()) return refuse('it is not a directory');
    if (!stat && refresh) return new RunCache(dir, build, false, null);
    try {
      if (!stat) mkdirSync(dir);
      if (realpathSync(dir) !== join(realpathSync(dirname(dir)), basename(dir)))
        return refuse(`it resolves to ${realpathSync(dir)}, outside the working directory`);
      // 'wx' (O_CREAT|O_EXCL) never follows a link planted under these names.
      for (const [name, text] of [
        ['.gitignore', '# Created by netra-migrate\n*\n'],
        ['CACHEDIR.TAG', 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by netra-migrate.\n'],
      ] as const) {
        try {
          writeFileSync(join(dir, name), text, { flag: 'wx' });
        } catch {
          // There already (or read-only): left as it is.
        }
      }
    } catch {
      // Read-only, or the folder vanished: the run goes on without saving.
    }
    return new RunCache(dir, build, true, null, !refresh);
  }

  static key(parts: unknown): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
  }

  /** The stored result of a run with this key, if nothing it depended on changed. */
  lookup(key: string): StoredRun['result'] | null {
    if (!Object.hasOwn(this.stored.runs, key)) return null;
    const run = this.stored.runs[key];
    if (!run) return null;
    for (const [path, sig] of Object.entries(run.deps)) if (signature(path) !== sig) return null;
    return run.result;
  }

  /** The fact stored for a file, if the file still has the size and modification time it had. */
  fact(path: string): unknown {
    if (!Object.hasOwn(this.stored.facts, path)) return undefined;
    const hit = this.stored.facts[path];
    if (!hit) return undefined;
    const sig = signature(path);
    if (sig !== hit.sig) return undefined;
    this.usedFacts.set(path, hit);
    this.factHits++;
    return hit.value;
  }

  rememberFact(path: string, stat: FileStamp, value: unknown): void {
    this.usedFacts.set(path, { sig: stampSignature(stat), value });
  }

  /**
   * Record a run: `read` are the files it read with their signatures at reading; `dirs` the directories it
   * listed or probed; every file in the directories of read files is added, and so are `extra` paths.
   */
  store(
    key: string,
    result: StoredRun['result'],
    read: ReadonlyMap<string, FileStamp | null>,
    dirs: Iterable<string>,
    extra: Iterable<string>,
  ): void {
    const deps: Record<string, Signature> = {};
    const allDirs = new Set(dirs);
    for (const [path, stat] of read) {
      deps[path] = stat ? stampSignature(stat) : null;
      // Beside a file read, a rule may read another directly (a requirements file next to a config).
      if (stat) allDirs.add(dirname(path));
    }
    for (const dir of allDirs) {
      deps[dir] = signature(dir);
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        // Gone or unreadable: its signature (null) says so.
      }
      for (const name of names) {
        const path = join(dir, name);
        // The cache itself changes with every run; nothing reads it as input.
        if (path === this.dir) continue;
        if (!(path in deps)) deps[path] = signature(path);
      }
    }
    for (const path of extra) if (!(path in deps)) deps[path] = signature(path);
    const runs = Object.entries(this.stored.runs).filter(([k]) => k !== key);
    this.stored.runs = Object.fromEntries([...runs.slice(-(MAX_RUNS - 1)), [key, { deps, result }]]);
  }

  /** Write the cache atomically (a concurrent run reads the old file or the new one), with a .gitignore. */
  save(): void {
    if (!this.usable) return;
    try {
      const facts = { ...this.stored.facts, ...Object.fromEntries(this.usedFacts) };
      // Keep facts of files this run saw, and of files other stored runs may still need (bounded by those runs).
      const kept = Object.fromEntries(
        Object.entries(facts).filter(([path]) => this.usedFacts.has(path) || Object.values(this.stored.runs).some((r) => path in r.deps)),
      );
      // Named as every temporary file of netra-migrate, so those of killed runs are found and removed.
      const tmp = join(this.dir, `.cache.json.netra-migrate-${process.pid}.tmp`);
      removeStaleTemps(
        readdirSync(this.dir)
          .filter(isTempName)
          .map((name) => join(this.dir, name)),
      );
      try {
        unlinkSync(tmp);
      } catch {
        // None left over.
      }
      writeFileSync(tmp, JSON.stringify({ ...this.stored, facts: kept }), { flag: 'wx' });
      renameSync(tmp, this.file);
    } catch {
      // A read-only checkout or a full disk: the run's result stands, only the next run is slower.
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether parsed JSON is a cache this build wrote, down to what a replay hands to the reporters: a cache
 * of the wrong shape (edited, truncated by another tool, written by a bug) is a recompute, never a crash.
 */
function validCache(data: unknown, build: string): data is StoredCache {
  if (!isObject(data) || data.build !== build || !isObject(data.runs) || !isObject(data.facts)) return false;
  for (const fact of Object.values(data.facts)) if (!isObject(fact) || typeof fact.sig !== 'string') return false;
  for (const run of Object.values(data.runs)) {
    if (!isObject(run) || !isObject(run.deps) || !isObject(run.result)) return false;
    if (!Object.values(run.deps).every((sig) => sig === null || typeof sig === 'string')) return false;
    const { diagnostics, problems, files } = run.result;
    if (!Array.isArray(diagnostics) || !Array.isArray(problems) || !Array.isArray(files)) return false;
    if (!files.every((f) => typeof f === 'string')) return false;
    if (!problems.every((p) => isObject(p) && typeof p.file === 'string' && typeof p.message === 'string')) return false;
    const located = (d: unknown) =>
      isObject(d) &&
      typeof d.file === 'string' &&
      typeof d.rule === 'string' &&
      typeof d.message === 'string' &&
      typeof d.severity === 'string' &&
      ['line', 'column', 'endLine', 'endColumn', 'start', 'end'].every((k) => typeof d[k] === 'number');
    if (!diagnostics.every(located)) return false;
    const optional = (d: Record<string, unknown>) =>
      (d.fix === undefined || isObject(d.fix)) && (d.suggestions === undefined || Array.isArray(d.suggestions));
    if (!diagnostics.every((d) => optional(d as Record<string, unknown>))) return false;
  }
  return true;
}
