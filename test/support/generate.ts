import { prng } from './env.js';

const SECTIONS = [
  '[pytest]',
  '[tool:pytest]',
  '[pytest] # c',
  '[pytest];x',
  '[ pytest ]',
  '[]',
  '[a',
  '[a]]',
  '[a]b',
  '[x:y]',
  '  [indented]',
  '[pytest]\t',
  '[é]',
];
const KEYS = ['testpaths', 'addopts', 'markers', 'a', 'key with space', 'k:v', 'x=y', 'café', 'timeout', 'a\u00a0', '\u2003b'];
const SEPS = [' = ', '=', ': ', ':', ' =', '= ', '\t=\t', ' : '];
const VALUES = [
  'tests',
  'tests # main',
  'a ; b',
  '',
  '  spaced  ',
  'a=b',
  'x:y',
  "'quoted value'",
  '"dq"',
  'trail\t',
  '#',
  ';',
  'é ü',
  'a\u00a0',
  'v\u0085w',
  'x\u2028y',
  'p\x1cq',
  '[not a section]',
];
const CONTINUATIONS = [
  '    more',
  '\tmore',
  '  # comment in value',
  '  ; comment',
  '    -ra',
  '    ',
  ' x = y',
  '  [bracketed]',
  '\u00a0nbsp-indented',
  '\u3000ideographic',
];
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

const SHLEX = [
  '-ra',
  '--x=1',
  "'a b'",
  '"c d"',
  'e\\ f',
  '"g\\"h"',
  "'i\\'",
  '"j\\\\k"',
  '\\',
  "'",
  '"',
  '#x',
  '""',
  "''",
  'l"m"n',
  '--k="o p"',
  '\\\\',
  'é',
];

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

const TOML_STRINGS = [
  '"tests"',
  '"a b"',
  "'literal \\n kept'",
  '"esc \\t tab \\u00e9 \\\\ \\""',
  '"""multi\nline"""',
  '"""trim \\\n   continued"""',
  "'''raw\nlines'''",
  '""',
  '"#not comment"',
  '"é ü"',
  '"\\U0001F600"',
];
const TOML_SCALARS = [
  '1',
  '-17',
  '+5',
  '1_000',
  '0',
  '3.5',
  '-0.25',
  '1e3',
  '6.02e23',
  '1E-2',
  '1e16',
  '1.5e16',
  '1e-5',
  '0.0001',
  '123456789.125',
  '-0.0',
  '-inf',
  '12345678901234567890',
  'true',
  'false',
  '0x1F',
  '0o17',
  '0b101',
  'inf',
  'nan',
];
const TOML_KEYS = ['testpaths', 'addopts', 'markers', 'timeout', 'minversion', 'xfail_strict', '"quoted key"', "'lit'", 'a-b', 'a_b', 'x'];

/** Random pytest tables in TOML: string forms, numbers, booleans, arrays with comments and trailing commas. */
export function generateToml(count: number, seed = 3): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const value = (): string => {
    const r = rnd();
    if (r < 0.4) return pick(TOML_STRINGS);
    if (r < 0.65) return pick(TOML_SCALARS);
    const n = Math.floor(rnd() * 4);
    const items = Array.from({ length: n }, () => pick(TOML_STRINGS));
    if (rnd() < 0.5) return `[${items.join(', ')}${rnd() < 0.3 && n > 0 ? ',' : ''}]`;
    return `[\n${items.map((i) => `    ${i},${rnd() < 0.3 ? ' # note' : ''}`).join('\n')}\n]`;
  };
  const docs: string[] = [];
  for (let n = 0; n < count; n++) {
    const lines: string[] = [];
    if (rnd() < 0.3) lines.push('[project]', 'name = "x"', '');
    lines.push(rnd() < 0.5 ? '[tool.pytest.ini_options]' : '[tool.pytest]');
    const keys = new Set<string>();
    const size = 1 + Math.floor(rnd() * 6);
    for (let i = 0; i < size; i++) {
      // Duplicates now and then: tomllib and the reader must both refuse them.
      const key = rnd() < 0.03 && keys.size > 0 ? [...keys][0]! : pick(TOML_KEYS);
      keys.add(key);
      lines.push(`${key} = ${value()}${rnd() < 0.2 ? '  # trailing' : ''}`);
      if (rnd() < 0.1) lines.push('# a comment line');
    }
    if (rnd() < 0.2) lines.push('', '[tool.other]', 'k = 1');
    const eol = rnd() < 0.8 ? '\n' : '\r\n';
    docs.push(lines.join(eol) + eol);
  }
  return docs;
}
