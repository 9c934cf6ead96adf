/**
 * Python's `shlex.split(s)` (POSIX mode, no comments), with the offset range of every token in `s`:
 * pytest splits `addopts`, `testpaths` and other args/paths values with it, so quoting must be read the
 * same way, and a fix that removes one token must know exactly which characters it spans.
 */
export interface ShlexToken {
  value: string;
  start: number;
  end: number;
}

export class ShlexError extends Error {}

const WHITESPACE = ' \t\r\n';

/** Characters that end a run of ordinary characters outside quotes. */
const SPECIAL_OUTSIDE = /[ \t\r\n'"\\]/g;
/** Characters that end a run inside double quotes. */
const SPECIAL_IN_DOUBLE = /["\\]/g;

/** Index of the next match of `re` at or after `from`, or `s.length`. */
function nextSpecial(re: RegExp, s: string, from: number): number {
  re.lastIndex = from;
  const m = re.exec(s);
  return m ? m.index : s.length;
}

/**
 * Runs of ordinary characters are taken as one slice each (never a character at a time): a 9 MB token
 * built by `+=` per character took half a minute and gigabytes of string ropes.
 */
export function shlexSplit(s: string): ShlexToken[] {
  const tokens: ShlexToken[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && WHITESPACE.includes(s[i]!)) i++;
    if (i >= s.length) break;
    const start = i;
    const parts: string[] = [];
    while (i < s.length && !WHITESPACE.includes(s[i]!)) {
      const c = s[i]!;
      if (c === "'") {
        const close = s.indexOf("'", i + 1);
        if (close < 0) throw new ShlexError('No closing quotation');
        parts.push(s.slice(i + 1, close));
        i = close + 1;
      } else if (c === '"') {
        i++;
        for (;;) {
          const run = nextSpecial(SPECIAL_IN_DOUBLE, s, i);
          parts.push(s.slice(i, run));
          i = run;
          if (i >= s.length) throw new ShlexError('No closing quotation');
          if (s[i] === '"') {
            i++;
            break;
          }
          // Inside double quotes a backslash escapes only a quote or a backslash.
          if (i + 1 >= s.length) throw new ShlexError('No escaped character');
          if (s[i + 1] === '"' || s[i + 1] === '\\') {
            parts.push(s[i + 1]!);
            i += 2;
          } else {
            parts.push('\\');
            i++;
          }
        }
      } else if (c === '\\') {
        if (i + 1 >= s.length) throw new ShlexError('No escaped character');
        parts.push(s[i + 1]!);
        i += 2;
      } else {
        const run = nextSpecial(SPECIAL_OUTSIDE, s, i);
        parts.push(s.slice(i, run));
        i = run;
      }
    }
    tokens.push({ value: parts.join(''), start, end: i });
  }
  return tokens;
}

/** Quote a token so `shlexSplit` gives it back (Python's `shlex.quote`). */
export function shlexQuote(s: string): string {
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return "'" + s.replace(/'/g, `'"'"'`) + "'";
}
