/**
 * Issue 26 items 3, 4, 5, 7, 8, 9, 13 and 14: hostile input aimed at the parsers, at sizes that go
 * quadratic, at numbers and at the project's interpreter. One case per row: what comes out (exit code, the
 * `file:line:col` message, the findings, the bytes on disk).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigJs, propertyAt, readConfigValue } from '../src/formats/js.js';
import { CLI, writeTree, type RunResult } from './support/env.js';

/** The CLI with a hard timeout: a hang (or a run gone quadratic) is a failure, never a stuck suite. */
function runBounded(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 60_000): RunResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', NETRA_MIGRATE_NO_CACHE: '1', ...env },
  });
  assert.equal(r.signal, null, `killed by ${r.signal}: the run hung`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const deep = (n: number, open = '[', close = ']') => open.repeat(n) + close.repeat(n);

describe('26.3 deep nesting is one clean error everywhere', () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    [
      "package.json's jest key, 10,000 deep",
      { 'package.json': `{"name": "x", "jest": {"roots": ${deep(10_000)}}}` },
      'check',
      /^package\.json:1:531: error: values nested too deeply to read \(more than 500 levels\)$/m,
    ],
    [
      'jest.config.js (the light reader), 5,000 deep',
      { 'package.json': '{"name": "x"}', 'jest.config.js': `module.exports = {\n  roots: ${deep(5_000)},\n};\n` },
      'check',
      /^jest\.config\.js:2:509: error: values nested too deeply to read \(more than 500 levels\)$/m,
    ],
    [
      'jest.config.ts (the TypeScript path), objects 5,000 deep',
      {
        'package.json': '{"name": "x"}',
        'jest.config.ts': `const m = new Map<string, number>();\nexport default { globals: ${'{a: '.repeat(5_000)}1${'}'.repeat(5_000)} };\n`,
      },
      'check',
      /^jest\.config\.ts:2:2023: error: values nested too deeply to read \(more than 500 levels\)$/m,
    ],
    [
      'a chain of 20,000 arrows (no brackets) in jest.config.js',
      { 'package.json': '{"name": "x"}', 'jest.config.js': `module.exports = ${'a => '.repeat(20_000)}1;\n` },
      'check',
      /^jest\.config\.js:1:1: error: values nested too deeply to read \(more than 500 levels\)$/m,
    ],
    [
      '.netra-migrate.json, 10,000 deep',
      { 'pytest.ini': '[pytest]\n', '.netra-migrate.json': `{\n  "rules": ${deep(10_000)}\n}\n` },
      'check',
      /^\.netra-migrate\.json:2:511: error: values nested too deeply to read \(more than 500 levels\)$/m,
    ],
    [
      'jest.config.js under fix --write',
      { 'package.json': '{"name": "x"}', 'jest.config.js': `module.exports = { roots: ${deep(5_000)} };\n` },
      'fix',
      /^jest\.config\.js:1:526: error: values nested too deeply to read \(more than 500 levels\)$/m,
    ],
  ];
  for (const [name, files, command, expected] of cases) {
    test(`${name}: exit 2, one located line, no stack trace, nothing written`, () => {
      const dir = writeTree(files);
      const r = runBounded(command === 'fix' ? ['fix', '--write', '--unsafe', '.'] : ['check', '.'], dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, expected);
      assert.doesNotMatch(r.stderr, /internal error|RangeError|\n\s+at /);
      for (const [file, text] of Object.entries(files)) assert.equal(readFileSync(join(dir, file), 'utf8'), text, file);
    });
  }

  test('a --rule value 10,000 deep is a usage error naming the flag', () => {
    const dir = writeTree({ 'pytest.ini': '[pytest]\n' });
    const r = runBounded(['check', '--rule', `{"require-timeout": ["error", {"seconds": ${deep(10_000)}}]}`, '.'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--rule: values nested too deeply to read \(more than 500 levels\)/);
    assert.doesNotMatch(r.stderr, /internal error|RangeError/);
  });

  test('500 levels still read: the limit is past any real config', () => {
    const dir = writeTree({
      'package.json': '{"name": "x"}',
      'jest.config.js': `module.exports = { testTimeout: 1000, globals: { deep: ${deep(498)} } };\n`,
    });
    const r = runBounded(['check', '--format', 'json', '.'], dir);
    assert.equal(r.stderr, '');
    assert.ok([0, 1].includes(r.code), r.stdout);
  });
});

describe('26.4 reading a large object literal is linear', () => {
  // Two keys written twice: the later one wins and moves to the end, as before (order and values kept).
  test('repeated keys: the last value wins, in the order the reader always gave', () => {
    const parsed = parseConfigJs('/p/jest.config.js', 'module.exports = { a: 1, b: 2, ...{ a: 3 }, c: 4, b: 5 };\n');
    const value = readConfigValue(parsed, () => null);
    assert.equal(value?.kind, 'object');
    if (value?.kind !== 'object') return;
    assert.deepEqual(
      value.properties.map((p) => [p.key, p.value.kind === 'number' ? p.value.value : null, p.own]),
      [
        ['a', 3, false],
        ['c', 4, true],
        ['b', 5, true],
      ],
    );
  });

  test('a 5 MB single-line moduleNameMapper (330,000 keys) is read, checked and reported', () => {
    const keys: string[] = [];
    let length = 0;
    for (let k = 0; length < 5_000_000; k++) {
      const entry = `"^k${k}$":"<rootDir>/v${k}.js"`;
      keys.push(entry);
      length += entry.length + 1;
    }
    const text = `module.exports = {moduleNameMapper: {${keys.join(',')}}};`;
    // In-process first: the reader alone (quadratic before: a list search per key).
    const value = readConfigValue(parseConfigJs('/p/jest.config.js', text), () => null);
    assert.equal(value?.kind, 'object');
    if (value?.kind !== 'object') return;
    const mapper = propertyAt(value, ['moduleNameMapper']);
    assert.equal(mapper?.value.kind === 'object' && mapper.value.properties.length, keys.length);
    const dir = writeTree({ 'package.json': '{"name": "x"}', 'jest.config.js': text });
    const r = runBounded(['check', '--format', 'json', '.'], dir);
    assert.equal(r.stderr, '');
    const findings = JSON.parse(r.stdout) as { file: string; rule: string }[];
    assert.deepEqual(findings.map((f) => `${f.file} ${f.rule}`).sort(), [
      'jest.config.js require-memory-limit',
      'jest.config.js require-timeout',
    ]);
  });
});
