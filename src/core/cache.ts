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
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { CheckResult } from './engine.js';

/** Size and modification time, or null for a file that did not exist. */
type Signature = string | null;

function signature(path: string): Signature {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

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
  /** Facts of this run only: facts of files no longer seen are dropped at save. */
  private readonly usedFacts = new Map<string, { sig: string; value: unknown }>();
  /** Facts looked up (hit) and files read (miss) in this run, for tests and `--stats`. */
  factHits = 0;

  private constructor(dir: string, build: string) {
    this.dir = dir;
    this.file = join(dir, 'cache.json');
    let stored: StoredCache | null = null;
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as StoredCache;
      if (data && data.build === build && typeof data.runs === 'object' && typeof data.facts === 'object') stored = data;
    } catch {
      // No cache yet, or an unreadable one: start afresh.
    }
    this.stored = stored ?? { build, runs: {}, facts: {} };
  }

  /** Open (creating it first, so creating it never changes what the run lists) the cache in `dir`. */
  static open(dir: string, build: string): RunCache {
    try {
      mkdirSync(dir, { recursive: true });
      if (!existsSync(join(dir, '.gitignore'))) writeFileSync(join(dir, '.gitignore'), '# Created by netra-migrate\n*\n');
      if (!existsSync(join(dir, 'CACHEDIR.TAG')))
        writeFileSync(
          join(dir, 'CACHEDIR.TAG'),
          'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by netra-migrate.\n',
        );
    } catch {
      // Read-only: the run goes on without saving.
    }
    return new RunCache(dir, build);
  }

  static key(parts: unknown): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
  }

  /** The stored result of a run with this key, if nothing it depended on changed. */
  lookup(key: string): StoredRun['result'] | null {
    const run = this.stored.runs[key];
    if (!run) return null;
    for (const [path, sig] of Object.entries(run.deps)) if (signature(path) !== sig) return null;
    return run.result;
  }

  /** The fact stored for a file, if the file still has the size and modification time it had. */
  fact(path: string): unknown {
    const hit = this.stored.facts[path];
    if (!hit) return undefined;
    const sig = signature(path);
    if (sig !== hit.sig) return undefined;
    this.usedFacts.set(path, hit);
    this.factHits++;
    return hit.value;
  }

  rememberFact(path: string, stat: { size: number; mtimeMs: number }, value: unknown): void {
    this.usedFacts.set(path, { sig: `${stat.size}:${stat.mtimeMs}`, value });
  }

  /**
   * Record a run: `read` are the files it read with their signatures at reading; `dirs` the directories it
   * listed or probed; every file in the directories of read files is added, and so are `extra` paths.
   */
  store(
    key: string,
    result: StoredRun['result'],
    read: ReadonlyMap<string, { size: number; mtimeMs: number } | null>,
    dirs: Iterable<string>,
    extra: Iterable<string>,
  ): void {
    const deps: Record<string, Signature> = {};
    const allDirs = new Set(dirs);
    for (const [path, stat] of read) {
      deps[path] = stat ? `${stat.size}:${stat.mtimeMs}` : null;
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
    try {
      const facts = { ...this.stored.facts, ...Object.fromEntries(this.usedFacts) };
      // Keep facts of files this run saw, and of files other stored runs may still need (bounded by those runs).
      const kept = Object.fromEntries(
        Object.entries(facts).filter(([path]) => this.usedFacts.has(path) || Object.values(this.stored.runs).some((r) => path in r.deps)),
      );
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ ...this.stored, facts: kept }));
      renameSync(tmp, this.file);
    } catch {
      // A read-only checkout or a full disk: the run's result stands, only the next run is slower.
    }
  }
}
