import { prng } from './env.js';

const SECTIONS = ['[pytest]', '[tool:pytest]', '[pytest] # c', '[pytest];x', '[ pytest ]', '[]', '[a', '[a]]', '[a]b', '[x:y]', '  [indented]', '[pytest]\t', '[é]'];
const KEYS = ['testpaths', 'addopts', 'markers', 'a', 'key with space', 'k:v', 'x=y', 'café', 'timeout', 'a\u00a0', '\u2003b'];
const SEPS = [' = ', '=', ': ', ':', ' =', '= ', '\t=\t', ' : '];
const VALUES = ['tests', 'tests # main', 'a ; b', '', '  spaced  ', 'a=b', 'x:y', "'quoted value'", '"dq"', 'trail\t', '#', ';', 'é ü', 'a\u00a0', 'v\u0085w', 'x\u2028y', 'p\x1cq', '[not a section]'];
const CONTINUATIONS = ['    more', '\tmore', '  # comment in value', '  ; comment', '    -ra', '    ', ' x = y', '  [bracketed]', '\u00a0nbsp-indented', '\u3000ideographic'];
const OTHER = ['', '# comment', '; comment', '   ', 'bare line', '\ufeff[pytest]', '#', ';;', '\t# tab comment', '=value', ':value'];
const EOLS = ['\n', '\n', '\n', '\r\n', '\r', '\u000b', '\u000c', '\u0085', '\u2028'];

/** Random INI documents over the shapes that trip readers up; deterministic for a seed. */
export function generateIni(count: number, seed = 1): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const docs: string[] = [];
  for (let n = 0; n < count; n++) {
    const lines: string[] = [];
    const size = 1 + Math.floor(rnd() * 10);
    if (rnd() < 0.85) lines.push(pick(SECTIONS.slice(0, 3)));
    for (let i = 0; i < size; i++) {
      const r = rnd();
      if (r < 0.45) lines.push(`${pick(KEYS)}${pick(SEPS)}${pick(VALUES)}`);
      else if (r < 0.65) lines.push(pick(CONTINUATIONS));
      else if (r < 0.8) lines.push(pick(OTHER));
      else if (r < 0.9) lines.push(pick(SECTIONS));
      else lines.push(`${pick(KEYS)}${pick(SEPS)}${pick(VALUES)}`.toUpperCase());
    }
    const eol = rnd() < 0.7 ? '\n' : pick(EOLS);
    let text = lines.map((l) => l + (rnd() < 0.9 ? eol : pick(EOLS))).join('');
    if (rnd() < 0.15) text = text.slice(0, -1);
    if (rnd() < 0.03) text = '\ufeff' + text;
    docs.push(text);
  }
  return docs;
}

const SHLEX = ['-ra', '--x=1', "'a b'", '"c d"', 'e\\ f', '"g\\"h"', "'i\\'", '"j\\\\k"', '\\', "'", '"', '#x', '""', "''", 'l"m"n', '--k="o p"', '\\\\', 'é'];

export function generateShlex(count: number, seed = 2): string[] {
  const rnd = prng(seed);
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const k = 1 + Math.floor(rnd() * 5);
    const parts: string[] = [];
    for (let i = 0; i < k; i++) parts.push(SHLEX[Math.floor(rnd() * SHLEX.length)]!);
    out.push(parts.join(rnd() < 0.8 ? ' ' : rnd() < 0.5 ? '\n  ' : '\t'));
  }
  return out;
}
