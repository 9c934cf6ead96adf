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

export function shlexSplit(s: string): ShlexToken[] {
  const tokens: ShlexToken[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && WHITESPACE.includes(s[i]!)) i++;
    if (i >= s.length) break;
    const start = i;
    let value = '';
    while (i < s.length && !WHITESPACE.includes(s[i]!)) {
      const c = s[i]!;
      if (c === "'") {
        const close = s.indexOf("'", i + 1);
        if (close < 0) throw new ShlexError('No closing quotation');
        value += s.slice(i + 1, close);
        i = close + 1;
      } else if (c === '"') {
        i++;
        for (;;) {
          if (i >= s.length) throw new ShlexError('No closing quotation');
          const d = s[i]!;
          if (d === '"') {
            i++;
            break;
          }
          // Inside double quotes a backslash escapes only a quote or a backslash.
          if (d === '\\' && i + 1 < s.length && (s[i + 1] === '"' || s[i + 1] === '\\')) {
            value += s[i + 1];
            i += 2;
            continue;
          }
          if (d === '\\' && i + 1 >= s.length) throw new ShlexError('No escaped character');
          value += d;
          i++;
        }
      } else if (c === '\\') {
        if (i + 1 >= s.length) throw new ShlexError('No escaped character');
        value += s[i + 1];
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    tokens.push({ value, start, end: i });
  }
  return tokens;
}

/** Quote a token so `shlexSplit` gives it back (Python's `shlex.quote`). */
export function shlexQuote(s: string): string {
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return "'" + s.replace(/'/g, `'"'"'`) + "'";
}
