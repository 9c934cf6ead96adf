import { isAbsolute, relative } from 'node:path';

/** A path relative to cwd, "/"-separated (JSON output is the same on every OS). */
export function relativePath(cwd: string, file: string): string {
  const rel = isAbsolute(file) ? relative(cwd, file) : file;
  return rel.split('\\').join('/');
}
