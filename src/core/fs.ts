import { closeSync, fsyncSync, linkSync, lstatSync, openSync, readlinkSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileProblemError } from './diagnostic.js';

/** Config files are small; anything larger is a mistake or an attack, and is refused before it is read. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface LoadedFile {
  path: string;
  text: string;
  /** Size and modification time when read: a write checks them so an edit made meanwhile is never clobbered. */
  stat: Pick<Stats, 'size' | 'mtimeMs' | 'mode'>;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function readTextFile(path: string): LoadedFile {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new FileProblemError({ file: path, message: `cannot read file: ${describeError(error)}` });
  }
  if (stat.isDirectory()) throw new FileProblemError({ file: path, message: 'is a directory, not a file' });
  if (stat.size > MAX_FILE_BYTES) {
    throw new FileProblemError({
      file: path,
      message: `file is ${(stat.size / 1024 / 1024).toFixed(1)} MB; netra-migrate reads files up to ${MAX_FILE_BYTES / 1024 / 1024} MB`,
    });
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new FileProblemError({ file: path, message: `cannot read file: ${describeError(error)}` });
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new FileProblemError({ file: path, line: lineOfByte(bytes, nul), message: 'binary file (contains a NUL byte)' });
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new FileProblemError({
      file: path,
      line: lineOfByte(bytes, at),
      message: `invalid UTF-8 (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at}); pytest reads config files as UTF-8`,
    });
  }
  return { path, text, stat: { size: stat.size, mtimeMs: stat.mtimeMs, mode: stat.mode } };
}

function lineOfByte(bytes: Buffer, at: number): number {
  let line = 1;
  for (let i = 0; i < at; i++) if (bytes[i] === 10) line++;
  return line;
}

function firstInvalidUtf8(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
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
  return e?.message ?? String(error);
}

/**
 * A fix never writes through a symbolic link (its target may lie outside the project) nor replaces the link
 * with a file (the project meant to share that file): it says which file to fix instead.
 */
export function refuseLink(path: string): void {
  let target: string | null = null;
  try {
    if (lstatSync(path).isSymbolicLink()) target = readlinkSync(path);
  } catch {
    return;
  }
  if (target !== null) throw new FileProblemError({ file: path, message: `is a symbolic link to ${target}; netra-migrate does not write through links: run it on the file the link points to` });
}

/** Refuse to write over a file that changed on disk since it was read (another run, an editor). */
export function assertUnchanged(file: LoadedFile): void {
  let now: Stats;
  try {
    now = statSync(file.path);
  } catch (error) {
    throw new FileProblemError({ file: file.path, message: `file disappeared before writing: ${describeError(error)}` });
  }
  if (now.size !== file.stat.size || now.mtimeMs !== file.stat.mtimeMs) {
    throw new FileProblemError({ file: file.path, message: 'file changed on disk since it was read; nothing written, run again' });
  }
}

/**
 * Replace a file's content atomically: write a sibling temporary file with the original mode, flush it,
 * and rename it over the original, so a reader sees the old file or the new one, never half of one.
 * Refuses when the file changed on disk since it was read.
 */
export function writeFileAtomic(file: LoadedFile, text: string): void {
  assertUnchanged(file);
  refuseLink(file.path);
  const tmp = join(dirname(file.path), `.${basename(file.path)}.netra-migrate-${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', file.stat.mode & 0o7777);
    writeSync(fd, Buffer.from(text, 'utf8'));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file.path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // The temporary file was never created.
    }
    throw new FileProblemError({ file: file.path, message: `cannot write file: ${describeError(error)}` });
  }
}

/**
 * Create a new file (for example a module a fix adds), atomically: the content goes to a temporary sibling
 * that is then hard-linked under the final name, which fails if that name exists by now. A reader never
 * sees half a file, and a file created meanwhile is never replaced.
 */
export function createFileExclusive(path: string, text: string, mode = 0o644): void {
  const tmp = join(dirname(path), `.${basename(path)}.netra-migrate-${process.pid}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
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
  }
}
