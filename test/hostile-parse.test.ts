/**
 * Issue 26 items 3, 4, 5, 7, 8, 9, 13 and 14: hostile input aimed at the parsers, at sizes that go
 * quadratic, at numbers and at the project's interpreter. One case per row: what comes out (exit code, the
 * `file:line:col` message, the findings, the bytes on disk).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigJs, propertyAt, readConfigValue } from '../src/formats/js.js';
import { allRules } from '../src/rules.js';
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

describe('26.5 reporting N findings is linear in N', () => {
  const N = 2_000;
  const module = ['import pytest', ''];
  for (let i = 0; i < N; i++) module.push(`@pytest.mark.m${i}`, `def test_${i}():`, '    pass', '');
  const tree = { 'pytest.ini': '[pytest]\naddopts = --strict-markers\n', 'tests/test_a.py': module.join('\n') };

  test(`${N} unregistered marks: every format prints a bounded fix title per finding`, () => {
    const dir = writeTree(tree);
    const r = runBounded(['check', '--format', 'json', '.'], dir);
    assert.equal(r.code, 1, r.stderr);
    const marks = (JSON.parse(r.stdout) as { rule: string; line: number; fix: { title: string } | null }[]).filter(
      (f) => f.rule === 'registered-markers',
    );
    assert.equal(marks.length, N);
    assert.deepEqual(
      new Set(marks.map((f) => f.fix?.title)),
      new Set([`Register m0, m1, m10, m100, m1000, m1001, m1002, m1003, m1004, m1005 and ${N - 10} more in markers`]),
    );
    // Linear: each finding's line in every format stays short (before, each carried all N names).
    for (const format of ['stylish', 'compact', 'github', 'sarif']) {
      const out = runBounded(['check', '--format', format, '.'], dir);
      assert.equal(out.code, 1, `${format}: ${out.stderr}`);
      assert.ok(out.stdout.length < N * 1_500, `${format}: ${out.stdout.length} bytes for ${N} findings`);
    }
  });

  test(`${N} findings sharing one fix: the cache holds each finding once, not the fix's edit ${N} times`, () => {
    const dir = writeTree(tree);
    const first = runBounded(['check', '--format', 'json', '.'], dir, { NETRA_MIGRATE_NO_CACHE: '' });
    const size = readFileSync(join(dir, '.netra-migrate-cache', 'cache.json')).length;
    assert.ok(size < N * 1_000, `cache.json is ${size} bytes for ${N} findings`);
    // The replay reports exactly what the first run did (fix titles and applicability included).
    const replay = runBounded(['check', '--format', 'json', '.'], dir, { NETRA_MIGRATE_NO_CACHE: '' });
    assert.equal(replay.code, first.code);
    assert.equal(replay.stdout, first.stdout);
    const fixed = runBounded(['fix', '--write', '.'], dir, { NETRA_MIGRATE_NO_CACHE: '' });
    assert.match(fixed.stderr, /^fixed \d+ problems in 1 file/);
    assert.doesNotMatch(fixed.stdout, /registered-markers/);
    const ini = readFileSync(join(dir, 'pytest.ini'), 'utf8');
    assert.equal(ini.split('\n').filter((l) => /^ {4}m\d+$/.test(l)).length, N);
  });
});

describe('26.9 every numeric rule option is bounded', () => {
  const numeric = allRules.flatMap((rule) =>
    Object.entries((rule.meta.options.properties ?? {}) as Record<string, Record<string, unknown>>)
      .filter(([, schema]) => [schema.type].flat().some((t) => t === 'number' || t === 'integer'))
      .map(([option, schema]) => ({ id: rule.meta.id, option, schema })),
  );

  test('the schema of each one has a lower and an upper bound', () => {
    assert.ok(numeric.length >= 7, `${numeric.length} numeric options`);
    for (const { id, option, schema } of numeric) {
      assert.ok(typeof (schema.minimum ?? schema.exclusiveMinimum) === 'number', `${id}.${option} has no lower bound`);
      assert.ok(typeof (schema.maximum ?? schema.exclusiveMaximum) === 'number', `${id}.${option} has no upper bound`);
    }
  });

  const dir = writeTree({ 'pytest.ini': '[pytest]\n' });
  for (const { id, option } of numeric) {
    for (const value of ['1e308', '1e999']) {
      test(`--rule ${id} ${option}: ${value} is a usage error naming the option and its range`, () => {
        const r = runBounded(['check', '--rule', `{"${id}": ["error", {"${option}": ${value}}]}`, '.'], dir);
        assert.equal(r.code, 2, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(
            `^netra-migrate: --rule: ${id}: option "${option}" must be a (whole )?number (from|above) \\d+ (to|and at most) \\d+, not ${value === '1e308' ? '1e\\+308' : 'Infinity'}$`,
            'm',
          ),
        );
      });
    }
  }

  test('.netra-migrate.json: 1e999 (Infinity once parsed) names the file, the option and the range', () => {
    const d = writeTree({
      'pytest.ini': '[pytest]\n',
      '.netra-migrate.json': '{"rules": {"require-timeout": ["error", {"seconds": 1e999}]}}\n',
    });
    const r = runBounded(['check', '.'], d);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^\.netra-migrate\.json:1:1: error: rules: require-timeout: option "seconds" must be a number above 0 and at most 86400, not Infinity$/m,
    );
  });

  test('pyproject.toml: nan is refused once, with the range', () => {
    const d = writeTree({
      'pytest.ini': '[pytest]\n',
      'pyproject.toml': '[tool.netra-migrate.rules]\nrequire-timeout = ["error", {seconds = nan}]\n',
    });
    const r = runBounded(['check', '.'], d);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^pyproject\.toml:2:1: error: rules: require-timeout: option "seconds" must be a number above 0 and at most 86400, not NaN$/m,
    );
  });

  test('a value inside the range is still accepted and written', () => {
    const d = writeTree({ 'pytest.ini': '[pytest]\n' });
    const r = runBounded(['fix', '--write', '--unsafe', '--rule', '{"require-timeout": ["error", {"seconds": 86400}]}', '.'], d);
    assert.equal(r.stderr.includes('error:'), false, r.stderr);
    assert.match(readFileSync(join(d, 'pytest.ini'), 'utf8'), /^timeout = 86400$/m);
  });
});

describe('26.13/26.14 a stuck or failing project interpreter', () => {
  const ANSWER = '[{"name":"pytest-timeout","version":"2.3.1","pytest11":[{"name":"timeout","module":"pytest_timeout"}]}]';
  /** A project whose `.venv/bin/python` is the given shell script (or a directory); check reads its packages. */
  function project(script: string | null): string {
    const dir = writeTree({
      'pytest.ini': '[pytest]\n',
      // Under strict the missing timeout is an error: the run's exit code shows the run went on.
      '.netra-migrate.json': '{"preset": "strict"}\n',
      'tests/test_a.py': 'def test_a():\n    pass\n',
      '.venv/pyvenv.cfg': 'home = /usr/bin\n',
      ...(script === null ? { '.venv/bin/python/README': 'a directory, not a program\n' } : { '.venv/bin/python': script }),
    });
    if (script !== null) chmodSync(join(dir, '.venv/bin/python'), 0o755);
    return dir;
  }
  /** Gone, or a zombie waiting for init: either way no longer running. */
  function running(pid: number): boolean {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  }
  const timeoutFinding = (stdout: string) =>
    (JSON.parse(stdout) as { rule: string; message: string }[]).find((f) => f.rule === 'require-timeout')?.message ?? '';

  test('an interpreter that hangs: given up after 5 s, its whole process group killed, one note naming it', () => {
    const dir = project('#!/bin/sh\nsleep 60 &\necho $! > bg.pid\nsleep 60\n');
    const r = runBounded(['check', '--format', 'json', '.'], dir, {}, 15_000);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stderr,
      `netra-migrate: note: cannot read the installed packages of ${join(dir, '.venv/bin/python')}: it did not answer within 5 s; its packages were left out (the findings read the dependency files only)\n`,
    );
    assert.equal(running(Number(readFileSync(join(dir, 'bg.pid'), 'utf8'))), false, 'its background child still runs');
  });

  test('an interpreter that answers and leaves a child holding stdout: the answer is read at exit and used', () => {
    const dir = project(`#!/bin/sh\nsleep 60 &\necho $! > bg.pid\necho '${ANSWER}'\n`);
    const r = runBounded(['check', '--format', 'json', '.'], dir, {}, 15_000);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    // Its answer (pytest-timeout installed) is what the finding goes by: no "does not declare pytest-timeout".
    assert.match(
      timeoutFinding(r.stdout),
      /^no per-test timeout: a test that hangs holds its worker, and its memory, until CI kills the whole job$/,
    );
    assert.equal(running(Number(readFileSync(join(dir, 'bg.pid'), 'utf8'))), false, 'its background child still runs');
  });

  const failing: [string, string | null, RegExp][] = [
    [
      'prints control characters and garbage',
      '#!/bin/sh\nprintf "\\033[2J\\007garbage{"\n',
      /its answer is not the JSON list of distributions asked for/,
    ],
    ['writes 20 MB on stderr and fails', '#!/bin/sh\nhead -c 20000000 /dev/zero >&2\nexit 3\n', /it exited with status 3/],
    ['is a directory', null, /it could not be started \(EACCES\)/],
    ['is killed by a signal', '#!/bin/sh\nkill -9 $$\n', /it was stopped by SIGKILL/],
  ];
  for (const [name, script, why] of failing) {
    test(`an interpreter that ${name}: the run goes on statically and says why, in one line, quoting nothing it printed`, () => {
      const dir = project(script);
      for (const format of ['json', 'github']) {
        const r = runBounded(['check', '--format', format, '.'], dir, {}, 15_000);
        assert.equal(r.code, 1, r.stderr);
        const lines = r.stderr.split('\n').filter(Boolean);
        assert.equal(lines.length, 1, r.stderr);
        assert.ok(
          lines[0]!.startsWith(`netra-migrate: note: cannot read the installed packages of ${join(dir, '.venv/bin/python')}: `),
          lines[0],
        );
        assert.match(lines[0]!, why);
        assert.doesNotMatch(r.stdout + r.stderr, /garbage|[\u001b\u0007]/);
      }
    });
  }

  test('--python naming a failing interpreter: exit 2 with the reason, never its output', () => {
    const dir = project('#!/bin/sh\nprintf "\\033[2J\\007garbage{"\n');
    const r = runBounded(['check', '--format', 'github', '--python', join(dir, '.venv/bin/python'), '.'], dir, {}, 15_000);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^pytest\.ini:1:1: error: cannot read the installed packages of .*: its answer is not the JSON list of distributions asked for$/m,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /garbage|[\u001b\u0007]/);
  });
});

describe('26.8 Python sources are decoded as Python decodes them (PEP 263)', () => {
  const CONFTEST = Buffer.concat([
    Buffer.from('# -*- coding: latin-1 -*-\nimport pytest\n\nNAME = "caf'),
    Buffer.from([0xe9]),
    Buffer.from('"\n\n@pytest.fixture(scope="session")\nasync def db():\n    yield NAME\n'),
  ]);
  function tree(conftest: Buffer): string {
    const dir = writeTree({
      'pytest.ini': '[pytest]\ntestpaths = tests\nasyncio_mode = auto\n',
      '.netra-migrate.json': '{"preset": "strict"}\n',
      'tests/test_a.py': 'def test_a(db):\n    assert db\n',
    });
    writeFileSync(join(dir, 'tests/conftest.py'), conftest);
    return dir;
  }

  test('a latin-1 conftest.py is read (its rules run) and fixed in latin-1, byte for byte elsewhere', () => {
    const dir = tree(CONFTEST);
    const r = runBounded(['check', '--format', 'json', '.'], dir);
    assert.equal(r.code, 1, r.stderr);
    const found = (JSON.parse(r.stdout) as { file: string; rule: string; line: number; column: number }[]).filter(
      (f) => f.file === 'tests/conftest.py',
    );
    assert.deepEqual(found, [{ ...found[0]!, file: 'tests/conftest.py', rule: 'async-fixture-scope', line: 6, column: 17 }]);
    // The memory monitor would be loaded from this conftest too (a loader appended), and the loop-scope fix would
    // make the fixture a pytest_asyncio one: both off, to compare one edit.
    const fixed = runBounded(
      [
        'fix',
        '--write',
        '--unsafe',
        '--rule',
        'async-fixture-scope:error',
        '--rule',
        'require-memory-limit:off',
        '--rule',
        'function-loop-scope:off',
        '.',
      ],
      dir,
    );
    assert.equal(fixed.code, 0, fixed.stderr + fixed.stdout);
    const bytes = readFileSync(join(dir, 'tests/conftest.py'));
    assert.equal(
      bytes.toString('latin1'),
      CONFTEST.toString('latin1').replace('@pytest.fixture(scope="session")', '@pytest.fixture'),
      'rewritten in latin-1, not UTF-8',
    );
  });

  test('the coding line on line 2, after a comment line, counts; on line 3 it does not', () => {
    const second = Buffer.concat([
      Buffer.from('#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\nX = "'),
      Buffer.from([0xe9]),
      Buffer.from('"\n'),
    ]);
    assert.equal(runBounded(['check', 'tests/conftest.py'], tree(second)).stderr, '');
    const third = Buffer.concat([Buffer.from('import os\n\n# coding: latin-1\nX = "'), Buffer.from([0xe9]), Buffer.from('"\n')]);
    const r = runBounded(['check', 'tests/conftest.py'], tree(third));
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^tests\/conftest\.py:4:6: error: invalid UTF-8 \(byte 0xe9 at offset 34\); Python reads a source without a coding line \(PEP 263\) as UTF-8$/m,
    );
  });

  test('a coding line that does not match the bytes, or names an encoding netra-migrate cannot read: exit 2, located', () => {
    const ascii = Buffer.concat([Buffer.from('# coding: ascii\nX = "'), Buffer.from([0xe9]), Buffer.from('"\n')]);
    let r = runBounded(['check', 'tests/conftest.py'], tree(ascii));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tests\/conftest\.py:2:6: error: byte 0xe9 is not ASCII \(the coding line declares ascii\)$/m);
    r = runBounded(['check', 'tests/conftest.py'], tree(Buffer.from('# coding: ebcdic-cp-be\nX = 1\n')));
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^tests\/conftest\.py:1:1: error: cannot decode ebcdic-cp-be: .* \(the coding line declares ebcdic-cp-be; PEP 263\)$/m,
    );
  });

  test('configs stay UTF-8 only: a coding comment in pytest.ini changes nothing', () => {
    const dir = writeTree({});
    writeFileSync(
      join(dir, 'pytest.ini'),
      Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\n[pytest]\naddopts = -k caf'), Buffer.from([0xe9, 0x0a])]),
    );
    const r = runBounded(['check', '.'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pytest\.ini:3:17: error: invalid UTF-8 \(byte 0xe9 at offset 51\); pytest reads config files as UTF-8$/m);
  });
});

describe('26.7 a module tree-sitter misreads is not skipped in silence', () => {
  test('valid Python with a dedented continuation line: an info finding names the module, exit and other findings unchanged', () => {
    const dir = writeTree({
      'pytest.ini': '[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n',
      '.netra-migrate.json': '{"preset": "strict"}\n',
      'tests/conftest.py': [
        'import pytest',
        '',
        '',
        'class Helper:',
        '    def load(self):',
        '        from os.path import (',
        '    join,',
        '        )',
        '        return join',
        '',
        '',
        '@pytest.fixture(scope="session")',
        'async def db():',
        '    yield 1',
        '',
      ].join('\n'),
      'tests/test_a.py': 'def test_a(db):\n    assert db\n',
    });
    const r = runBounded(['check', '--format', 'json', '.'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    const found = (JSON.parse(r.stdout) as { file: string; rule: string; severity: string; line: number; message: string }[]).filter(
      (f) => f.file === 'tests/conftest.py',
    );
    assert.deepEqual(
      found.map((f) => [f.rule, f.severity, f.line]),
      [['unanalysed-source', 'info', 4]],
    );
    assert.match(found[0]!.message, /^not analysed from here: tree-sitter cannot read this valid Python/);
  });
});
