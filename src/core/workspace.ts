import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { FileProblemError, type FileProblem } from './diagnostic.js';
import { isTempName, readTextFile, type LoadedFile } from './fs.js';
import type { FileStamp, RunCache } from './cache.js';
import { IgnoreFiles, newListings, walkDirs, type WalkEvent, type WalkOptions } from './walk.js';

/**
 * The files one run reads, each read once, with the texts fixes produce layered on top: a fix pass
 * re-analyses the new texts without touching the disk, and nothing is written until every pass succeeded.
 */
export class Workspace {
  private readonly loaded = new Map<string, LoadedFile>();
  private readonly failed = new Map<string, FileProblem>();
  private readonly overlay = new Map<string, string>();
  private readonly walks = new Map<string, { dir: string; entries: Dirent[] }[]>();
  private readonly listings = new Map<string, string[]>();
  /** Directories the walks could not list, names they could not decode, and template trees they skipped. */
  readonly walkProblems: FileProblem[] = [];
  readonly skipped = new Map<string, string>();
  /** Things the run tried and left out that the user should hear of once (on stderr): a project interpreter that failed. */
  readonly notes = new Set<string>();
  /** Every file read, with its size, modification and change times and inode when read (kept after `release`; the cache's key). */
  private readonly everRead = new Map<string, FileStamp>();
  /** The repository's ignore files (.gitignore, .ignore, .git/info/exclude), unless the run turns them off. */
  readonly ignoreFiles: IgnoreFiles | undefined;
  /** Files read from disk so far (a cached run reads only what changed). */
  reads = 0;
  /** Told how far a long read of sources has come (`done` of `total`), for a terminal's progress line. */
  readonly progress: ((done: number, total: number) => void) | undefined;
  /** How every walk of this run goes: the ignore files, and the directories listed (for the cache). */
  readonly walkOptions: WalkOptions;
  /** A walk of everything (pytest's own lookups ignore no file) through the same listings as walkOptions. */
  readonly listingOptions: WalkOptions;
  /** Facts about single files kept from earlier runs (see RunCache), when the run uses the cache. */
  readonly cache: RunCache | undefined;
  /**
   * Texts read instead of the disk (an editor's unsaved buffers, by absolute path): the run sees them as the
   * files' text as read, so fixes and `changed()` are relative to them. Files are still found by walking the
   * disk; a buffer is never written by the workspace.
   */
  readonly buffers: ReadonlyMap<string, string> | undefined;

  constructor(
    options: {
      ignoreFiles?: boolean;
      progress?: (done: number, total: number) => void;
      cache?: RunCache;
      /** Names of the files the run reads: one that is a FIFO, socket or device is a problem (see WalkOptions). */
      reads?: (path: string) => boolean;
      buffers?: ReadonlyMap<string, string>;
    } = {},
  ) {
    this.ignoreFiles = options.ignoreFiles === false ? undefined : new IgnoreFiles();
    this.progress = options.progress;
    this.buffers = options.buffers?.size ? options.buffers : undefined;
    // A fact kept for a file on disk says nothing about its unsaved text.
    this.cache = this.buffers ? undefined : options.cache;
    const listings = newListings();
    this.listingOptions = { listings };
    this.walkOptions = {
      ...(this.ignoreFiles ? { ignoreFiles: this.ignoreFiles } : {}),
      ...(options.reads ? { reads: options.reads } : {}),
      listings,
      listed: new Set(),
      onEvent: (event: WalkEvent) => {
        if (event.kind === 'problem') this.walkProblems.push(event.problem);
        else this.skipped.set(event.dir, event.reason);
      },
    };
  }

  note(text: string): void {
    this.notes.add(text);
  }

  /** A fact an earlier run learned about this file's text, if the file is unchanged since (no read needed). */
  cachedFact(path: string): unknown {
    return this.overlay.has(path) ? undefined : this.cache?.fact(path);
  }

  /** Keep a fact about the text of a file read in this run, for the next run. */
  rememberFact(path: string, value: unknown): void {
    const stat = this.everRead.get(path);
    if (stat && !this.overlay.has(path)) this.cache?.rememberFact(path, stat, value);
  }

  /** Files read (with size and modification time) and files that could not be read (null), for the cache. */
  readSignatures(): Map<string, FileStamp | null> {
    const out = new Map<string, FileStamp | null>(this.everRead);
    for (const path of this.failed.keys()) if (!out.has(path)) out.set(path, null);
    return out;
  }

  /**
   * The directories under `root` with their entries (see walkDirs), listed once per run: the pytest, Compose
   * and Jest/Vitest analyzers all walk the same inputs, in every fix pass.
   */
  walk(root: string): readonly { dir: string; entries: Dirent[] }[] {
    let listing = this.walks.get(root);
    if (!listing) {
      listing = [...walkDirs(root, this.walkOptions)];
      this.walks.set(root, listing);
    }
    return listing;
  }

  /**
   * The names in a directory, sorted (none when it cannot be listed), listed once per run: every config's
   * project lookup climbs the same directories, up to a home or /tmp of thousands of entries.
   */
  listDir(dir: string): string[] {
    let names = this.listings.get(dir);
    if (!names) {
      try {
        names = readdirSync(dir).sort();
      } catch {
        names = [];
      }
      this.listings.set(dir, names);
    }
    return names;
  }

  /**
   * The files an analyzer takes from the inputs, sorted: a file input when `matches` says so, and every
   * matching file the walk of a directory input lists.
   */
  filesMatching(inputs: readonly string[], matches: (file: string) => boolean): string[] {
    const out = new Set<string>();
    for (const input of inputs) {
      let isDir: boolean;
      try {
        isDir = statSync(input).isDirectory();
      } catch {
        continue;
      }
      if (!isDir) {
        if (matches(input)) out.add(input);
        continue;
      }
      for (const { dir, entries } of this.walk(input))
        for (const e of entries) if (e.isFile() && matches(join(dir, e.name))) out.add(join(dir, e.name));
    }
    return [...out].sort();
  }

  /** netra-migrate's own temporary files (`.NAME.netra-migrate-PID.tmp`) in the directories walked so far. */
  tempFiles(): string[] {
    const out: string[] = [];
    for (const listing of this.walks.values())
      for (const { dir, entries } of listing) for (const e of entries) if (e.isFile() && isTempName(e.name)) out.push(join(dir, e.name));
    return out;
  }

  /** The current text, or null when the file cannot be read (the problem is kept for the report). */
  text(path: string): string | null {
    const over = this.overlay.get(path);
    if (over !== undefined) return over;
    return this.load(path)?.text ?? null;
  }

  original(path: string): LoadedFile | undefined {
    return this.loaded.get(path);
  }

  load(path: string): LoadedFile | null {
    const hit = this.loaded.get(path);
    if (hit) return hit;
    if (this.failed.has(path)) return null;
    const buffered = this.buffers?.get(path);
    if (buffered !== undefined) {
      const file: LoadedFile = { path, text: buffered, stat: bufferStat(path, buffered) };
      this.loaded.set(path, file);
      return file;
    }
    try {
      this.reads++;
      const file = readTextFile(path);
      this.loaded.set(path, file);
      this.everRead.set(path, {
        size: file.stat.size,
        mtimeMs: file.stat.mtimeMs,
        ctimeMs: file.stat.ctimeMs ?? 0,
        ino: file.stat.ino ?? 0,
      });
      return file;
    } catch (e) {
      if (!(e instanceof FileProblemError)) throw e;
      this.failed.set(path, e.problem);
      return null;
    }
  }

  /** Whether a fix gave this file a new text in this run. */
  edited(path: string): boolean {
    return this.overlay.has(path);
  }

  /**
   * Forget a file's text once the run knows it does not matter (a test module no rule reports on), so a
   * run over thousands of modules does not hold them all; a later `text()` reads it again.
   */
  release(path: string): void {
    if (!this.overlay.has(path)) this.loaded.delete(path);
  }

  /** Every path the run has read (or tried to read), for `--show-files`. */
  readFiles(): string[] {
    return this.readFilesLater()();
  }

  /** `readFiles` to call later: it holds the run's read log, not the workspace and its texts. */
  readFilesLater(): () => string[] {
    const { everRead, failed } = this;
    // A path looked up and absent (a dependency file a project does not have) was not read.
    return () => [...new Set([...everRead.keys(), ...[...failed.keys()].filter((path) => existsSync(path))])];
  }

  setText(path: string, text: string): void {
    // A file a fix creates is not in any listing yet.
    if (!this.everRead.has(path)) {
      this.walks.clear();
      this.listings.clear();
    }
    this.overlay.set(path, text);
  }

  /** Drop the fixed text of a file (it is not written): the run sees what is on disk again. */
  revert(path: string): void {
    this.overlay.delete(path);
  }

  problem(path: string): FileProblem | undefined {
    return this.failed.get(path);
  }

  /** Files whose current text differs from what was read, and files a fix creates (`created`, read as empty). */
  changed(): { file: LoadedFile; text: string; created: boolean }[] {
    const out: { file: LoadedFile; text: string; created: boolean }[] = [];
    for (const [path, text] of this.overlay) {
      const file = this.loaded.get(path);
      if (file) {
        if (file.text !== text) out.push({ file, text, created: false });
      } else if (text !== '' && !existsSync(path)) {
        out.push({ file: { path, text: '', stat: { size: 0, mtimeMs: 0, mode: 0o644 } }, text, created: true });
      }
    }
    return out;
  }

  /** A digest of every fixed text (a fix pass that reproduces an earlier state stops the loop), hashed text by text, never joined. */
  stateDigest(): string {
    const hash = createHash('sha256');
    for (const path of [...this.overlay.keys()].sort()) hash.update(path).update('\0').update(this.overlay.get(path)!).update('\0\0');
    return hash.digest('hex');
  }
}

/** A buffer's stat: the file's own mode where it exists on disk, its size that of the buffer's text. */
function bufferStat(path: string, text: string): LoadedFile['stat'] {
  let mode = 0o100644;
  try {
    mode = statSync(path).mode;
  } catch {
    // A buffer not yet saved to disk.
  }
  return { size: Buffer.byteLength(text, 'utf8'), mtimeMs: 0, mode };
}

/**
 * How analyzers load a file into a model: its text, then `load`. An unreadable file's problem, or the
 * FileProblemError `load` throws (a syntax error), goes to `problems` and gives undefined; `unreadable`
 * says whether an unreadable file is this analyzer's to report (another analyzer may own the file).
 */
export async function loadFile<T>(
  ws: Workspace,
  file: string,
  problems: FileProblem[],
  load: (text: string) => T | Promise<T>,
  unreadable: 'report' | 'skip' = 'report',
): Promise<T | undefined> {
  const text = ws.text(file);
  if (text === null) {
    const p = unreadable === 'report' ? ws.problem(file) : undefined;
    if (p) problems.push(p);
    return undefined;
  }
  return collectProblem(problems, () => load(text));
}

/** What `load` gives, with a FileProblemError it throws pushed to `problems` (and undefined given) instead. */
export async function collectProblem<T>(problems: FileProblem[], load: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (e) {
    if (e instanceof FileProblemError) {
      problems.push(e.problem);
      return undefined;
    }
    throw e;
  }
}

/** An analyzer's `verify`: the problem that stops the file's current text from loading, or null. */
export async function loadProblem(ws: Workspace, file: string, load: (text: string) => unknown): Promise<FileProblem | null> {
  const text = ws.text(file);
  if (text === null) return null;
  const problems: FileProblem[] = [];
  await collectProblem(problems, () => load(text));
  return problems[0] ?? null;
}
