/** Offsets inside netra-migrate are UTF-16 indices into the decoded text (BOM included, so a splice keeps it).
 * Lines and columns exist only for people: 1-based, columns counted in Unicode code points. */

export interface Position {
  line: number;
  column: number;
}

export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = this.starts[lo]!;
    // A BOM is not a column anyone can see.
    const from = lo === 0 && this.text.charCodeAt(0) === 0xfeff ? 1 : lineStart;
    return { line: lo + 1, column: codePointLength(this.text.slice(from, Math.max(from, offset))) + 1 };
  }

  lineStart(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }
}

export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

/** The line ending a new line should get: the file's first one, else "\n". */
export function detectEol(text: string): string {
  const i = text.search(/\r\n|\n|\r/);
  if (i < 0) return '\n';
  return text.startsWith('\r\n', i) ? '\r\n' : text[i]!;
}

/**
 * The line ending of the line holding `offset` (at the end of a text that ends with a newline: of its last
 * line), so a line inserted beside it takes the ending of the line it follows and a file of mixed endings
 * keeps every existing line byte for byte; the file's first ending when that line has none (the last line).
 */
export function eolOfLine(text: string, offset: number): string {
  if (offset >= text.length && /[\r\n]$/.test(text)) return text.endsWith('\r\n') ? '\r\n' : text.slice(-1);
  const end = lineEndAt(text, offset);
  if (end >= text.length) return detectEol(text);
  return text.startsWith('\r\n', end) ? '\r\n' : text[end]!;
}

export function hasBom(text: string): boolean {
  return text.charCodeAt(0) === 0xfeff;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The candidate closest to a misspelt name (case-insensitive edit distance, about one edit per five characters), if any is close. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 5)) + 1;
  for (const known of candidates) {
    const d = editDistance(name.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

/** Offset of the start of the line holding `offset` (after the previous `\n` or `\r`). */
export function lineStartAt(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/** Offset of the line ending at or after `offset` (the end of the text when there is none). */
export function lineEndAt(text: string, offset: number): number {
  const m = /\r\n|\n|\r/g;
  m.lastIndex = offset;
  const hit = m.exec(text);
  return hit ? hit.index : text.length;
}

/** Offset just after the line ending that starts at `lineEnd` (`\r\n` counts as one). */
export function afterEol(text: string, lineEnd: number): number {
  if (text.startsWith('\r\n', lineEnd)) return lineEnd + 2;
  return lineEnd < text.length ? lineEnd + 1 : lineEnd;
}

/**
 * How deep brackets may nest in a JSON or JS/TS file before it is refused: far beyond any config a person
 * writes, and well inside what the recursive readers (TypeScript's parser, js-light.ts, the config reader)
 * can descend without exhausting the stack. TOML gets the same answer from its parser (toml.ts).
 */
export const MAX_NESTING = 500;

export const TOO_DEEP_MESSAGE = `values nested too deeply to read (more than ${MAX_NESTING} levels)`;

/**
 * The offset of the first bracket (`(`, `[`, `{`) that opens more than `limit` levels in JSON or JS/TS
 * text, or null. One pass: strings, template literals and comments are skipped (a bracket inside one is
 * text); a regular expression literal is not recognised, so its brackets count (harmless: they balance in
 * real code, and only a depth over the limit is reported).
 */
export function tooDeepAt(text: string, limit: number = MAX_NESTING): number | null {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 || c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      if (depth > 0) depth--;
    } else if (c === 0x22 || c === 0x27 || c === 0x60) {
      // A string or template literal: to its closing quote (escapes skipped), a line break ends a plain string.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === c || (c !== 0x60 && (d === 0x0a || d === 0x0d))) break;
      }
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      while (i < n && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 1;
    }
  }
  return null;
}
