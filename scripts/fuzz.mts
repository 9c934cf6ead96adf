// npm run fuzz -- [--count 100000] [--seed 1]: the differential tests at scale, on demand. Generated INI
// documents against Python's iniconfig, argument strings against shlex.split, pytest TOML tables against
// tomllib, in batches through one Python process each. Prints how many cases ran and how many disagreed,
// with the first few disagreements; exits 1 if any did. CI runs 1,000 of each (test/ini.test.ts, toml.test.ts).
import assert from 'node:assert/strict';
import { parseIni } from '../src/formats/ini.js';
import { shlexSplit } from '../src/formats/shlex.js';
import { generateIni, generateShlex, generateToml } from '../test/support/generate.js';
import { oracle } from '../test/support/oracle.js';
import { iniReading, tomlDifference } from '../test/support/readings.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const count = arg('count', 100_000);
const seed = arg('seed', Date.now() % 1_000_000);
const BATCH = 5000;

function differs(expected: unknown, ours: unknown): boolean {
  try {
    assert.deepEqual(ours, expected);
    return false;
  } catch {
    return true;
  }
}

const kinds = {
  ini: {
    generate: (n: number, s: number) => generateIni(n, s),
    ours: (text: string) => iniReading(parseIni(text)),
  },
  shlex: {
    generate: (n: number, s: number) => generateShlex(n, s),
    ours: (text: string) => {
      try {
        return { tokens: shlexSplit(text).map((t) => t.value) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    },
  },
  toml: { generate: (n: number, s: number) => generateToml(n, s), ours: null },
} as const;

let failed = 0;
for (const [kind, spec] of Object.entries(kinds)) {
  let ran = 0;
  const bad: string[] = [];
  for (let batch = 0; ran < count; batch++) {
    const n = Math.min(BATCH, count - ran);
    const docs = spec.generate(n, seed * 1000 + batch);
    const expected = oracle(docs.map((text) => ({ kind: kind as 'ini' | 'shlex' | 'toml', text })));
    docs.forEach((text, i) => {
      const diff = spec.ours ? (differs(expected[i], spec.ours(text)) ? 'differs' : null) : tomlDifference(text, expected[i]);
      if (diff) bad.push(`${JSON.stringify(text)}: ${diff.split('\n')[0]}`);
    });
    ran += n;
  }
  failed += bad.length;
  process.stdout.write(`${kind}: ${ran} cases (seed ${seed}), ${bad.length} disagreements\n`);
  for (const b of bad.slice(0, 5)) process.stdout.write(`  ${b}\n`);
}
process.exitCode = failed > 0 ? 1 : 0;
