import { isAbsolute, relative } from 'node:path';

/** A path relative to cwd, "/"-separated (JSON output is the same on every OS). */
export function relativePath(cwd: string, file: string): string {
  const rel = isAbsolute(file) ? relative(cwd, file) : file;
  return rel.split('\\').join('/');
}

/**
 * The characters no output passes raw: every C0 control (NUL to US), DEL, every C1 control (U+0080 to U+009F,
 * CSI among them, which some terminals obey) and the Unicode line and paragraph separators. A path or a config
 * value holding ESC could otherwise clear a terminal or forge a line of any format.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** The part of CONTROL that JSON.stringify writes raw inside strings. */
const CONTROL_JSON_LEAVES = /[\u007f-\u009f\u2028\u2029]/g;

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * The one escaping of control characters for every output format: each becomes a visible escape (`\n`,
 * `\u001b`). `keep` lists characters a format escapes its own way (GitHub's `%0A` for a newline in a message).
 */
export function escapeControls(text: string, keep = ''): string {
  return text.replace(CONTROL, (c) => (keep.includes(c) ? c : (ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)));
}

/**
 * Text for a line-based format: a newline or other control character in a path or message (a file named
 * "a\nb.ini: line 1, col 1, Error - ...") is shown escaped, so it can never start a forged finding line.
 */
export function oneLine(text: string): string {
  return escapeControls(text);
}

/**
 * JSON for output (json, sarif, print-config): JSON.stringify escapes C0 controls but leaves DEL, C1 controls
 * and U+2028/U+2029 raw; they are written as `\uXXXX` escapes too (the same characters as escapeControls),
 * which any JSON reader decodes back to the same string.
 */
export function jsonText(value: unknown, indent = 2): string {
  // Raw C0 characters in JSON.stringify's output are its own layout (newlines): inside strings it escapes them.
  return JSON.stringify(value, null, indent).replace(CONTROL_JSON_LEAVES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
