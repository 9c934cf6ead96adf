import { isAbsolute, relative } from 'node:path';

/** A path relative to cwd, "/"-separated (JSON output is the same on every OS). */
export function relativePath(cwd: string, file: string): string {
  const rel = isAbsolute(file) ? relative(cwd, file) : file;
  return rel.split('\\').join('/');
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text for a line-based format: a newline or other control character in a path or message (a file named
 * "a\nb.ini: line 1, col 1, Error - ...") is shown escaped, so it can never start a forged finding line.
 */
export function oneLine(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
