import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { FileProblemError } from './diagnostic.js';

/** Config files are small; anything larger is a mistake or an attack, and is refused before it is read. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface LoadedFile {
  path: string;
  text: string;
  /**
   * What the file was when read: a write checks size, mtime and content so an edit made meanwhile is never
   * clobbered, and gives the new file the same mode, owner and group.
   */
  stat: Pick<Stats, 'size' | 'mtimeMs' | 'mode'> & Partial<Pick<Stats, 'uid' | 'gid' | 'ctimeMs' | 'ino'>>;
  /**
   * A Python source's PEP 263 encoding when it is not UTF-8 (`latin-1`, `ascii`, a WHATWG label): its text
   * was decoded from it, and is written back in it or not at all (never in another encoding).
   */
  encoding?: string;
}

/** PEP 263's coding line, as CPython's tokenizer matches it. */
const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/**
 * The encoding a Python source declares (line 1, or line 2 after a blank or comment-only line 1), normalised,
 * with its line; null for none or UTF-8 (the default).
 */
function declaredPythonEncoding(bytes: Buffer): { name: string; label: string; line: number } | null {
  const head = bytes
    .subarray(0, 4096)
    .toString('latin1')
    .replace(/^\xef\xbb\xbf/, '');
  const [first = '', second] = head.split(/\r\n|\r|\n/, 2);
  let found = CODING.exec(first);
  let line = 1;
  if (!found && second !== undefined && /^[ \t\f]*(?:#.*)?$/.test(first)) {
    found = CODING.exec(second);
    line = 2;
  }
  if (!found) return null;
  const label = found[1]!;
  const name = label.toLowerCase().replace(/_/g, '-');
  if (/^(?:utf-?8|u8|utf)(?:-.*)?$/.test(name)) return null;
  if (/^(?:latin-?1|iso-?8859-1|iso-latin-1|l1|latin|cp819|8859|iso-ir-100)(?:-.*)?$/.test(name)) return { name: 'latin-1', label, line };
  if (/^(?:ascii|us-ascii|646|us)$/.test(name)) return { name: 'ascii', label, line };
  return { name, label, line };
}

/**
 * Encodings decoded through TextDecoder whose WHATWG table is Python's codec (WHATWG reads `latin1` and
 * `ascii` as windows-1252, so those two are decoded here by hand).
 */
const WHATWG_AS_PYTHON =
  /^(?:cp125[0-8]|windows-125[0-8]|shift-jis|sjis|euc-jp|euc-kr|gbk|gb18030|big5|koi8-[ru]|iso-?8859-(?:[2-8]|10|1[3-6]))$/;

function decodePython(path: string, bytes: Buffer, coding: { name: string; label: string; line: number }): string {
  const bad = (what: string) => problem(path, `${what} (the coding line declares ${coding.label}; PEP 263)`, coding.line, 1);
  if (coding.name === 'latin-1') return bytes.toString('latin1');
  if (coding.name === 'ascii') {
    const at = bytes.findIndex((b) => b > 0x7f);
    if (at >= 0) {
      const pos = positionOfByte(bytes, at);
      throw problem(
        path,
        `byte 0x${bytes[at]!.toString(16)} is not ASCII (the coding line declares ${coding.label})`,
        pos.line,
        pos.column,
      );
    }
    return bytes.toString('latin1');
  }
  if (!WHATWG_AS_PYTHON.test(coding.name))
    throw bad(`cannot decode ${coding.label}: netra-migrate reads UTF-8, Latin-1, ASCII and the common legacy encodings`);
  try {
    return new TextDecoder(
      coding.name
        .replace(/^cp(125\d)$/, 'windows-$1')
        .replace(/^sjis$/, 'shift_jis')
        .replace(/^shift-jis$/, 'shift_jis'),
      {
        fatal: true,
      },
    ).decode(bytes);
  } catch {
    throw bad(`not valid ${coding.label}`);
  }
}

/** The bytes of a text in the encoding its file was read in; null when that encoding cannot hold it or cannot be written. */
function encodeAs(file: Pick<LoadedFile, 'encoding'>, text: string): Buffer | null {
  if (file.encoding === undefined) return Buffer.from(text, 'utf8');
  const max = file.encoding === 'latin-1' ? 0xff : file.encoding === 'ascii' ? 0x7f : -1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > max) return null;
  return Buffer.from(text, 'latin1');
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Every read problem is reported at 1:1 when no better place is known, as `file:line:col` promises. */
function problem(file: string, message: string, line = 1, column = 1): FileProblemError {
  return new FileProblemError({ file, line, column, message });
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegularMessage(stat: Stats): string {
  return stat.isDirectory()
    ? 'is a directory, not a file'
    : `is ${kindOf(stat)}, not a regular file; netra-migrate reads regular files only`;
}

/**
 * The problem of a path that is (or links to) a FIFO, socket or device, as reading it would report it; null
 * for a regular file, a directory or a path that does not exist. Looked at with stat only: nothing is opened.
 */
export function specialFileProblem(path: string): FileProblemError | null {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    return null;
  }
  return stat.isFile() || stat.isDirectory() ? null : problem(path, notRegularMessage(stat));
}

/**
 * The one way netra-migrate reads a file (configs, sources, dependency files, its own tool config):
 * regular files only, size-checked before a byte is read, so a FIFO never blocks the run and `/dev/zero`
 * never fills memory. The file is opened non-blocking (opening a FIFO for reading then returns at once),
 * checked with fstat on that same descriptor (no window to swap the file), and read up to its size plus one
 * byte (a file growing meanwhile is refused, not read without end). Returns the bytes and the stat.
 */
export function readRegularFile(path: string, maxBytes = MAX_FILE_BYTES): { bytes: Buffer; stat: Stats } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw problem(path, `cannot read file: ${describeOpenError(path, error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw problem(path, notRegularMessage(stat));
    if (stat.size > maxBytes)
      throw problem(
        path,
        `file is ${(stat.size / 1024 / 1024).toFixed(1)} MB; netra-migrate reads files up to ${maxBytes / 1024 / 1024} MB`,
      );
    const bytes = Buffer.allocUnsafe(stat.size + 1);
    let length = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, bytes, length, bytes.length - length, null);
      } catch (error) {
        throw problem(path, `cannot read file: ${describeError(error)}`);
      }
      if (n === 0) break;
      length += n;
      if (length > stat.size) throw problem(path, 'file grew while it was read; netra-migrate reads files that are not being written');
    }
    return { bytes: bytes.subarray(0, length), stat };
  } finally {
    closeSync(fd);
  }
}

/** Read a regular file as text (UTF-8, no NUL bytes), through readRegularFile. */
export function readTextFile(path: string): LoadedFile {
  const { bytes, stat } = readRegularFile(path);
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const at = positionOfByte(bytes, nul);
    throw problem(path, 'binary file (contains a NUL byte)', at.line, at.column);
  }
  // Python sources are decoded as Python decodes them (PEP 263); every other file is UTF-8 only.
  const coding = path.endsWith('.py') ? declaredPythonEncoding(bytes) : null;
  const stats = { size: stat.size, mtimeMs: stat.mtimeMs, mode: stat.mode, uid: stat.uid, gid: stat.gid };
  if (coding) return { path, text: decodePython(path, bytes, coding), stat: stats, encoding: coding.name };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const at = positionOfByte(bytes, offset);
    throw problem(
      path,
      `invalid UTF-8 (byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')} at offset ${offset}); ${path.endsWith('.py') ? 'Python reads a source without a coding line (PEP 263) as UTF-8' : 'pytest reads config files as UTF-8'}`,
      at.line,
      at.column,
    );
  }
  return {
    path,
    text,
    stat: { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, mode: stat.mode, uid: stat.uid, gid: stat.gid },
  };
}

/**
 * Text of an optional file (a dependency file, a package.json looked up on the way): null when there is no
 * such file; any other problem (a FIFO, a device, too big, unreadable) is thrown as a FileProblemError,
 * never skipped in silence.
 */
export function readOptionalTextFile(path: string): string | null {
  try {
    lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
  }
  return readTextFile(path).text;
}

function positionOfByte(bytes: Buffer, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (bytes[i] === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  // Columns count characters: decode the line's prefix leniently (it is valid UTF-8 up to `at`).
  return { line, column: bytes.subarray(lineStart, at).toString('utf8').length + 1 };
}

function firstInvalidUtf8(bytes: Buffer): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    try {
      decoder.decode(bytes.subarray(i, i + need + 1));
    } catch {
      return i;
    }
    i += need + 1;
  }
  return 0;
}

export function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'ELOOP') return 'too many levels of symbolic links';
  if (e?.code === 'EISDIR') return 'is a directory';
  if (e?.code === 'ENAMETOOLONG') return 'path is longer than the system allows (PATH_MAX)';
  if (e?.code === 'EROFS') return 'read-only file system';
  return e?.message ?? String(error);
}

/** An open error, naming a dangling symbolic link as such (open says only "no such file"). */
function describeOpenError(path: string, error: unknown): string {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    const target = linkTarget(path);
    if (target !== null) return `is a dangling symbolic link to ${target}`;
  }
  return describeError(error);
}

function linkTarget(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : null;
  } catch {
    return null;
  }
}

/**
 * A fix never writes through a symbolic link (its target may lie outside the project) nor replaces the link
 * with a file (the project meant to share that file): it says which file to fix instead.
 */
export function refuseLink(path: string): void {
  const target = linkTarget(path);
  if (target === null) return;
  let dangling = false;
  try {
    realpathSync(path);
  } catch {
    dangling = true;
  }
  throw problem(
    path,
    dangling
      ? `is a dangling symbolic link to ${target}; netra-migrate does not write through links`
      : `is a symbolic link to ${target}; netra-migrate does not write through links: run it on the file the link points to`,
  );
}

/**
 * The write boundary. netra-migrate writes a file only where it really is what its path says: the real path
 * of the file's directory must equal the path the run reached it by (no symbolic link to a directory on the
 * way, as with `fix --write linked`), or lie inside the real working directory (a link that stays inside the
 * project). So a link can widen what is read, never where a fix writes.
 */
export function assertInsideBoundary(path: string, cwd: string): void {
  const dir = dirname(path);
  let realDir: string;
  try {
    realDir = realpathSync(dir);
  } catch (error) {
    throw problem(path, `cannot write file: ${describeError(error)}`);
  }
  if (realDir === dir) return;
  let realCwd = cwd;
  try {
    realCwd = realpathSync(cwd);
  } catch {
    // A working directory that vanished: nothing can be inside it.
  }
  const rel = relative(realCwd, realDir);
  if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return;
  throw problem(
    path,
    `is reached through a symbolic link to ${realDir}, outside the working directory ${realCwd}; netra-migrate does not write outside it: run it there`,
  );
}

/** A read-only file is left alone, also for root (who could write it): its write bits say it must not change. */
export function assertWritable(file: LoadedFile): void {
  const readOnly = (file.stat.mode & 0o222) === 0;
  let denied = false;
  if (!readOnly) {
    try {
      accessSync(file.path, constants.W_OK);
    } catch {
      denied = true;
    }
  }
  if (readOnly || denied)
    throw problem(
      file.path,
      readOnly ? 'file is read-only; netra-migrate does not write read-only files' : 'cannot write file: permission denied',
    );
}

/**
 * Refuse to write over a file that changed on disk since it was read (another run, an editor): size, mtime
 * and then the content itself, so a change that keeps size and mtime is caught too.
 */
export function assertUnchanged(file: LoadedFile): void {
  let now: { bytes: Buffer; stat: Stats };
  try {
    now = readRegularFile(file.path);
  } catch (error) {
    if (error instanceof FileProblemError)
      throw problem(file.path, `file disappeared or changed kind before writing: ${error.problem.message}`);
    throw error;
  }
  const before = encodeAs(file, file.text);
  if (now.stat.size !== file.stat.size || now.stat.mtimeMs !== file.stat.mtimeMs || before === null || !now.bytes.equals(before)) {
    throw problem(file.path, 'file changed on disk since it was read; nothing written, run again');
  }
}

/** `.NAME.netra-migrate-PID.tmp`: the sibling a write goes through before its rename. */
const TEMP_NAME = /^\..+\.netra-migrate-(\d+)\.tmp$/;

/** Temporary files this process has created and not yet renamed or removed. */
const liveTemps = new Set<string>();

function tempFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.netra-migrate-${process.pid}.tmp`);
}

/** Remove the temporary files of writes under way (on SIGINT/SIGTERM, before the process ends). */
export function removeLiveTemps(): void {
  for (const tmp of liveTemps) {
    try {
      unlinkSync(tmp);
    } catch {
      // Renamed or removed meanwhile.
    }
  }
  liveTemps.clear();
}

/** Whether a file name is one of netra-migrate's temporary files. */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * Remove temporary files left by runs that were killed (SIGKILL, a power cut) before they could: one whose
 * process is gone (ESRCH). One of this process, or of a live process (maybe a run under way, or a reused
 * PID), is left alone. Returns the paths removed.
 */
export function removeStaleTemps(paths: Iterable<string>): string[] {
  const removed: string[] = [];
  for (const path of paths) {
    const pid = Number(TEMP_NAME.exec(basename(path))?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      continue;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') continue;
    }
    try {
      if (!lstatSync(path).isFile()) continue;
      unlinkSync(path);
      removed.push(path);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
  return removed;
}

/**
 * Replace a file's content atomically: write a sibling temporary file with the original mode (exactly: set
 * with fchmod, so the umask cannot narrow it), owner and group (where this process may set them), flush it,
 * compare the original's content once more, and rename it over the original, so a reader sees the old file
 * or the new one, never half of one. Refuses read-only files and files changed on disk since they were read.
 */
export function writeFileAtomic(file: LoadedFile, text: string): void {
  assertUnchanged(file);
  const staged = stageWrite(file, text);
  try {
    if (staged.fd === undefined) throw staged.error;
    try {
      fsyncSync(staged.fd);
    } finally {
      closeSync(staged.fd);
    }
    // Last look before the rename: an edit that landed while the new text was written wins.
    assertUnchanged(file);
    renameSync(staged.tmp, file.path);
    liveTemps.delete(staged.tmp);
  } catch (error) {
    removeTemporary(staged.tmp);
    if (error instanceof FileProblemError) throw error;
    throw problem(file.path, `cannot write file: ${describeError(error)}`);
  }
}

/**
 * Create a new file (for example a module a fix adds), atomically: the content goes to a temporary sibling
 * that is then hard-linked under the final name, which fails if that name exists by now. A reader never
 * sees half a file, and a file created meanwhile is never replaced.
 */
export function createFileExclusive(path: string, text: string, mode = 0o644): void {
  const tmp = tempFor(path);
  const fd = openSync(tmp, 'wx', mode);
  liveTemps.add(tmp);
  try {
    try {
      writeSync(fd, Buffer.from(text, 'utf8'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, path);
  } finally {
    unlinkSync(tmp);
    liveTemps.delete(tmp);
  }
}

/** How many files `writeFilesAtomic` has open at once: bounded descriptors, enough flushes in flight. */
const WRITE_BATCH = 64;
/** fsync on libuv's thread pool (through the module's binding, called late, so a test can watch it). */
const fsyncAsync = (fd: number) => new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));

/**
 * writeFileAtomic for many files, as atomic and more durable, for less: each batch writes its temporary
 * files, flushes them together on libuv's thread pool (the file system commits concurrent flushes together;
 * one flush after another waits for each), then compares each original's content once more and renames
 * the new file over it, and flushes each directory that got a rename once, so the renames survive a crash
 * too. The caller checked every file just before (assertUnchanged); the look before each rename is the
 * one that matters. `done` hears of every file in the order given: null when written, else the problem.
 */
export async function writeFilesAtomic(
  items: readonly { file: LoadedFile; text: string }[],
  done: (file: LoadedFile, problem: FileProblemError | null) => void,
): Promise<void> {
  writesUnderWay++;
  try {
    await writeBatches(items, done);
  } finally {
    if (--writesUnderWay === 0) for (const then of afterWrites.splice(0)) then();
  }
}

/** Batched writes under way (see whenWritesSettle). */
let writesUnderWay = 0;
const afterWrites: (() => void)[] = [];

/**
 * Run `then` once no batched write is under way. The writes wait on the thread pool between batches, where a
 * signal handler can run: a signal that arrives then waits for the rest, so a fix that edits several files
 * (a config and the conftest that loads the monitor its keys belong to) is never left half written.
 */
export function whenWritesSettle(then: () => void): void {
  if (writesUnderWay === 0) then();
  else afterWrites.push(then);
}

async function writeBatches(
  items: readonly { file: LoadedFile; text: string }[],
  done: (file: LoadedFile, problem: FileProblemError | null) => void,
): Promise<void> {
  for (let at = 0; at < items.length; at += WRITE_BATCH) {
    const staged = items.slice(at, at + WRITE_BATCH).map(({ file, text }) => stageWrite(file, text));
    await Promise.all(
      staged.map(async (s) => {
        if (s.fd === undefined) return;
        try {
          await fsyncAsync(s.fd);
        } catch (error) {
          s.error = error;
        }
      }),
    );
    const dirs = new Set<string>();
    for (const s of staged) {
      if (s.fd !== undefined) closeSync(s.fd);
      if (s.error !== null) continue;
      try {
        // Last look before the rename: an edit that landed while the new text was written wins.
        assertUnchanged(s.file);
        renameSync(s.tmp, s.file.path);
        liveTemps.delete(s.tmp);
        dirs.add(dirname(s.file.path));
      } catch (error) {
        s.error = error;
      }
    }
    await Promise.all([...dirs].map(syncDirectory));
    for (const s of staged) {
      if (s.error !== null) removeTemporary(s.tmp);
      done(
        s.file,
        s.error === null
          ? null
          : s.error instanceof FileProblemError
            ? s.error
            : problem(s.file.path, `cannot write file: ${describeError(s.error)}`),
      );
    }
  }
}

/** The new text in a temporary sibling with the original's mode, owner and group, not yet flushed. */
function stageWrite(file: LoadedFile, text: string): { file: LoadedFile; tmp: string; fd: number | undefined; error: unknown } {
  const tmp = tempFor(file.path);
  let fd: number | undefined;
  try {
    refuseLink(file.path);
    assertWritable(file);
    // Written back in the encoding it was read in, never in another one (the coding line would then lie).
    const bytes = encodeAs(file, text);
    if (bytes === null)
      throw problem(
        file.path,
        `not written: the new text cannot be written in ${file.encoding}, the encoding its coding line declares (netra-migrate writes back Latin-1, ASCII and UTF-8)`,
      );
    fd = openSync(tmp, 'wx', 0o600);
    liveTemps.add(tmp);
    writeSync(fd, bytes);
    if (file.stat.uid !== undefined && file.stat.gid !== undefined) {
      try {
        // chown clears set-id bits, so it comes before chmod.
        fchownSync(fd, file.stat.uid, file.stat.gid);
      } catch {
        // Only root (or the owner, to a group it is in) may: the file then belongs to this user.
      }
    }
    fchmodSync(fd, file.stat.mode & 0o7777);
    return { file, tmp, fd, error: null };
  } catch (error) {
    if (fd !== undefined) {
      closeSync(fd);
      removeTemporary(tmp);
    }
    return { file, tmp, fd: undefined, error };
  }
}

function removeTemporary(tmp: string): void {
  try {
    unlinkSync(tmp);
  } catch {
    // Never created, or renamed already.
  }
  liveTemps.delete(tmp);
}

/** Flush a directory's entries (a rename into it); a file system that cannot (EINVAL, EISDIR) is left as it is. */
async function syncDirectory(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    await fsyncAsync(fd);
  } catch {
    // Not supported here: the rename stands as the file system keeps it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
