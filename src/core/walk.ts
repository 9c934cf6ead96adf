import { lstatSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import type { Ignore } from 'ignore';
import type { FileProblem } from './diagnostic.js';
import { describeError, readTextFile, specialFileProblem } from './fs.js';

/** Directories no test runner collects from and no linter should enter. */
const SKIP_DIRS = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '__pycache__',
  '.tox',
  '.nox',
  '.venv',
  'venv',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'build',
  'dist',
  '.eggs',
  'site-packages',
  '.cache',
  '.idea',
  '.vscode',
  'coverage',
  '.next',
  '.turbo',
  '.netra-migrate-cache',
]);

function isVirtualenv(dir: string, listings?: Listings): boolean {
  const known = listings?.virtualenv.get(dir);
  if (known !== undefined) return known;
  let venv: boolean;
  try {
    venv = statSync(join(dir, 'pyvenv.cfg')).isFile();
  } catch {
    venv = false;
  }
  listings?.virtualenv.set(dir, venv);
  return venv;
}

export function skippedDir(name: string): boolean {
  return SKIP_DIRS.has(name) || name.endsWith('.egg-info');
}

/** A directory named with template placeholders (`{{cookiecutter.project_slug}}`, `{% if x %}`): a template, not a project. */
export function templateDir(name: string): boolean {
  return /\{\{|\{%|\{#/.test(name);
}

/** What a walk did not enter: a problem (exit 2), or a tree it skips on purpose (a template). */
export type WalkEvent = { kind: 'problem'; problem: FileProblem } | { kind: 'skipped'; dir: string; reason: string };

const require = createRequire(import.meta.url);

/** The patterns of one ignore file, with the directory they are relative to. */
interface Level {
  base: string;
  matcher: Ignore;
}

/**
 * The ignore files a repository keeps, matched with git's rules by the `ignore` package (the matcher ESLint
 * uses) and combined with ripgrep's precedence: `.ignore` over `.gitignore` over `.git/info/exclude`, and
 * within one kind the deepest directory with a matching pattern decides (a `!pattern` there re-includes).
 * `.gitignore` and `.git/info/exclude` count only inside a git repository, as in git and ripgrep; `.ignore`
 * counts anywhere. Ignore files are read once per directory, as the walk enters it.
 */
export class IgnoreFiles {
  private readonly levels = new Map<string, { ignore: Level | null; gitignore: Level | null }>();
  private readonly repoRoots = new Map<string, string | null>();
  private readonly excludes = new Map<string, Level | null>();
  /** Every ignore file read, for tests and for the cache key (a changed .gitignore changes the walk). */
  readonly read: string[] = [];

  /** The ignore files looked for, present or not (a new or changed one changes the walk). */
  probed(): string[] {
    const out: string[] = [];
    for (const dir of this.levels.keys()) {
      out.push(join(dir, '.ignore'));
      if (this.repoRoot(dir) !== null) out.push(join(dir, '.gitignore'));
    }
    for (const repo of this.excludes.keys()) out.push(join(repo, '.git', 'info', 'exclude'));
    return out;
  }

  private static factory: ((options?: { allowRelativePaths?: boolean }) => Ignore) | undefined;

  private load(file: string, base: string): Level | null {
    let text: string;
    try {
      text = readTextFile(file).text;
    } catch {
      return null;
    }
    this.read.push(file);
    IgnoreFiles.factory ??= require('ignore') as (options?: { allowRelativePaths?: boolean }) => Ignore;
    return { base, matcher: IgnoreFiles.factory().add(text) };
  }

  private level(dir: string) {
    let level = this.levels.get(dir);
    if (!level) {
      const inRepo = this.repoRoot(dir) !== null;
      level = { ignore: this.load(join(dir, '.ignore'), dir), gitignore: inRepo ? this.load(join(dir, '.gitignore'), dir) : null };
      this.levels.set(dir, level);
    }
    return level;
  }

  /** The nearest directory at or above `dir` holding `.git` (a directory, or a worktree's file), or null. */
  repoRoot(dir: string): string | null {
    const hit = this.repoRoots.get(dir);
    if (hit !== undefined) return hit;
    let root: string | null;
    try {
      lstatSync(join(dir, '.git'));
      root = dir;
    } catch {
      root = dirname(dir) === dir ? null : this.repoRoot(dirname(dir));
    }
    this.repoRoots.set(dir, root);
    return root;
  }

  private exclude(repo: string): Level | null {
    if (!this.excludes.has(repo)) this.excludes.set(repo, this.load(join(repo, '.git', 'info', 'exclude'), repo));
    return this.excludes.get(repo)!;
  }

  /**
   * The ignore files that apply in `dir`, in the order they decide (ripgrep's precedence: `.ignore` files
   * deepest first, then `.gitignore` files, then the repository's exclude file), each with `dir` relative to
   * its base: computed once per directory, not for each of its entries.
   */
  private deciders(dir: string): { matcher: Ignore; prefix: string }[] {
    let hit = this.chains.get(dir);
    if (hit) return hit;
    const repo = this.repoRoot(dir);
    // The directories whose ignore files apply, deepest first: up to the repository's root, else to `/`.
    const chain: string[] = [];
    for (let d = dir; ; d = dirname(d)) {
      chain.push(d);
      if (d === repo || dirname(d) === d) break;
    }
    const levels: Level[] = [];
    for (const kind of ['ignore', 'gitignore'] as const)
      for (const d of chain) {
        const level = this.level(d)[kind];
        if (level) levels.push(level);
      }
    const exclude = repo !== null ? this.exclude(repo) : null;
    if (exclude) levels.push(exclude);
    hit = levels.map((level) => {
      const rel = relative(level.base, dir).split(sep).join('/');
      return { matcher: level.matcher, prefix: rel === '' ? '' : `${rel}/` };
    });
    this.chains.set(dir, hit);
    return hit;
  }

  private readonly chains = new Map<string, { matcher: Ignore; prefix: string }[]>();

  /** Whether the entry `name` of `dir` (a directory when `isDir`) is ignored. */
  ignores(dir: string, name: string, isDir: boolean): boolean {
    for (const { matcher, prefix } of this.deciders(dir)) {
      const rel = prefix + name;
      const r = matcher.test(isDir ? `${rel}/` : rel);
      if (r.unignored) return false;
      if (!r.ignored) continue;
      // `ignore` also reports a path as ignored when one of its parent directories is; the walk entered
      // that parent, so another file or kind re-included it, and only this path's own patterns count here.
      if (prefix !== '' && matcher.test(prefix).ignored) continue;
      return true;
    }
    return false;
  }
}

/**
 * Walk a tree, yielding directories (parents first) with their entries. Symbolic links are not followed,
 * so a link loop or a link out of the project can neither hang the walk nor widen it. With `ignoreFiles`,
 * entries the repository ignores are left out and ignored directories are never entered. Nothing is
 * skipped in silence: a directory that cannot be listed (permissions, a path beyond PATH_MAX) or a name that
 * is not valid UTF-8 is a problem, and a template tree is a skip, both told to `onEvent`.
 */
export interface WalkOptions {
  /** Leave out what the repository's ignore files ignore. */
  ignoreFiles?: IgnoreFiles;
  /** Every directory listed is added here (the cache's record of what a run depended on). */
  listed?: Set<string>;
  /** Told what the walk did not enter: a problem (exit 2) or a tree it skips on purpose (a template). */
  onEvent?: (event: WalkEvent) => void;
  /**
   * Names of the files the run reads (every file kind): an entry by such a name that is a FIFO, socket or
   * device, or a link to one, is a problem, never left out in silence.
   */
  reads?: (path: string) => boolean;
  /**
   * The run's directory listings, shared by its walks (the run's own, pytest's source lookups without ignore
   * files, the count of test files behind a finding): each directory is listed and checked for a virtualenv
   * once per run, not once per walk (three times over on a 7,000-file repository).
   */
  listings?: Listings;
}

/** Directory listings as read (before any filter) and virtualenv checks, by directory, for one run. */
export interface Listings {
  entries: Map<string, Dirent[] | Error>;
  virtualenv: Map<string, boolean>;
}

export function newListings(): Listings {
  return { entries: new Map(), virtualenv: new Map() };
}

export function* walkDirs(root: string, options: WalkOptions = {}): Generator<{ dir: string; entries: Dirent[] }> {
  const { ignoreFiles, listed } = options;
  const onEvent = options.onEvent ?? (() => {});
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    listed?.add(dir);
    let entries: Dirent[];
    try {
      const known = options.listings?.entries.get(dir);
      if (known instanceof Error) throw known;
      if (known) entries = [...known];
      else {
        entries = readdirSync(dir, { withFileTypes: true });
        options.listings?.entries.set(dir, [...entries]);
      }
    } catch (error) {
      if (options.listings && !options.listings.entries.has(dir)) options.listings.entries.set(dir, error as Error);
      const code = (error as NodeJS.ErrnoException).code;
      // The root may be a file (its directory is listed by the caller); a directory gone meanwhile is no loss.
      if (code !== 'ENOTDIR' && code !== 'ENOENT')
        onEvent({ kind: 'problem', problem: { file: dir, line: 1, column: 1, message: `cannot read directory: ${describeError(error)}` } });
      continue;
    }
    // Node decodes names as UTF-8 with U+FFFD for bytes that are not: such a path cannot be opened again.
    const undecodable = entries.filter((e) => e.name.includes('\uFFFD'));
    if (undecodable.length > 0) {
      for (const e of undecodable)
        onEvent({
          kind: 'problem',
          problem: {
            file: join(dir, e.name),
            line: 1,
            column: 1,
            message: 'name is not valid UTF-8; netra-migrate cannot read it: rename it',
          },
        });
      entries = entries.filter((e) => !e.name.includes('\uFFFD'));
    }
    if (ignoreFiles) entries = entries.filter((e) => !ignoreFiles.ignores(dir, e.name, e.isDirectory()));
    if (options.reads)
      for (const e of entries) {
        if (e.isFile() || e.isDirectory() || !options.reads(join(dir, e.name))) continue;
        const special = specialFileProblem(join(dir, e.name));
        if (special) onEvent({ kind: 'problem', problem: special.problem });
      }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    yield { dir, entries };
    const subdirs: string[] = [];
    for (const e of entries) {
      if (!e.isDirectory() || skippedDir(e.name)) continue;
      if (templateDir(e.name)) onEvent({ kind: 'skipped', dir: join(dir, e.name), reason: 'template (placeholders in its name)' });
      else subdirs.push(join(dir, e.name));
    }
    for (const sub of subdirs.reverse()) if (!isVirtualenv(sub, options.listings)) stack.push(sub);
  }
}

export function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile() || statSync(path).isFile();
  } catch {
    return false;
  }
}
