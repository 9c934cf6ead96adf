/** The CLI contract: exit codes, output formats, and bad input handled with one clear message and nothing written. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from './support/env.js';
import { monitorText } from '../src/monitor/stamp.js';

function project(files: Record<string, string | Buffer>): string {
  const dir = tempDir('netra-cli-');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const SEED = '[pytest]\ntestpaths = tests other\naddopts = -ra --quiet-collection\n';

// VS Code's built-in $eslint-compact problem matcher (facts.md, section 6).
const ESLINT_COMPACT = /^(.+):\sline\s(\d+),\scol\s(\d+),\s(Error|Warning|Info)\s-\s(.+)\s\((.+)\)$/;

describe('exit codes and formats', () => {
  test('--version prints the package version', () => {
    const r = runCli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  });

  test('a clean config exits 0 with no output', () => {
    const dir = project({
      'pytest.ini': '[pytest]\ntestpaths = tests\naddopts = -ra --strict-config --maxfail=5 -p pytest_memory_plugin\ntimeout = 60\n',
      'pytest_memory_plugin.py': monitorText(),
    });
    const r = runCli(['check'], dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
  });

  test('findings exit 1; json is a flat array with relative "/" paths and 1-based positions', () => {
    const dir = project({ 'sub/pytest.ini': SEED });
    const r = runCli(['check', '--format', 'json'], dir);
    assert.equal(r.code, 1);
    const findings = JSON.parse(r.stdout);
    const flag = findings.find((f: { rule: string }) => f.rule === 'known-options');
    assert.deepEqual(flag, {
      file: 'sub/pytest.ini',
      line: 3,
      column: 15,
      endLine: 3,
      endColumn: 33,
      rule: 'known-options',
      severity: 'error',
      message:
        '`--quiet-collection` in addopts is not an option of pytest or of the plugins netra-migrate knows; pytest stops with "unrecognized arguments" (exit 4)',
      fix: { applicability: 'unsafe', title: 'Remove --quiet-collection from addopts' },
    });
  });

  test('compact lines match the $eslint-compact problem matcher, with absolute paths', () => {
    const dir = project({ 'pytest.ini': SEED });
    const r = runCli(['check', '--format', 'compact'], dir);
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(lines.length >= 3);
    for (const line of lines) {
      const m = ESLINT_COMPACT.exec(line);
      assert.ok(m, line);
      assert.equal(m[1], join(dir, 'pytest.ini'));
    }
    // Several roots is policy: a warning under the default preset, an error under strict.
    const root = lines.map((l) => ESLINT_COMPACT.exec(l)!).find((m) => m[6] === 'single-test-root')!;
    assert.deepEqual([root[2], root[3], root[4]], ['2', '1', 'Warning']);
    const strict = runCli(['check', '--format', 'compact', '--preset', 'strict'], dir).stdout.trimEnd().split('\n');
    const strictRoot = strict.map((l) => ESLINT_COMPACT.exec(l)!).find((m) => m[6] === 'single-test-root')!;
    assert.deepEqual([strictRoot[2], strictRoot[3], strictRoot[4]], ['2', '1', 'Error']);
    // An unknown preset is a usage error (exit 2) naming the choices, and nothing is checked.
    const bad = runCli(['check', '--format', 'compact', '--preset', 'lenient'], dir);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /Invalid values:\s+Argument: preset, Given: "lenient", Choices: "recommended", "strict"/);
  });

  test('fix without --write prints a unified diff and exits 1; --write applies safe fixes only and says how many unsafe were held back', () => {
    // The project declares pytest-timeout, so adding `required_plugins = pytest-timeout` is safe (open world).
    const dir = project({
      'pytest.ini': SEED,
      'requirements-dev.txt': 'pytest\npytest-timeout\n',
      'tests/conftest.py': '',
      'tests/test_a.py': '',
    });
    const dry = runCli(['fix'], dir);
    assert.equal(dry.code, 1);
    assert.match(dry.stdout, /^--- a\/pytest\.ini\n\+\+\+ b\/pytest\.ini\n/);
    assert.match(dry.stdout, /^\+timeout = 120$/m);
    assert.equal(readFileSync(join(dir, 'pytest.ini'), 'utf8'), SEED, 'dry run writes nothing');
    const w = runCli(['fix', '--write'], dir);
    assert.match(w.stderr, /fixed 2 problems in 1 file; 3 unsafe fixes held back \(use --unsafe\)/);
    const text = readFileSync(join(dir, 'pytest.ini'), 'utf8');
    assert.match(text, /testpaths = tests other/, 'unsafe fix not applied');
    assert.match(text, /addopts = -ra --quiet-collection --strict-config\ntimeout = 120\nrequired_plugins = pytest-timeout\n$/);
    // Two test roots and no conftest.py at the root: no place for the monitor that keeps sys.path as it is.
    assert.ok(!existsSync(join(dir, 'pytest_memory_plugin.py')) && !existsSync(join(dir, 'tests', 'pytest_memory_plugin.py')));
    const left = runCli(['check', '--format', 'json'], dir);
    assert.match(left.stdout, /the monitor is not installed because the test roots \(tests, other\) share no directory below the config's/);
  });

  test('a fix that creates a file shows it as new in the diff', () => {
    const dir = project({ 'pytest.ini': '[pytest]\ntestpaths = tests\n', 'tests/test_a.py': 'def test_a():\n    pass\n' });
    const dry = runCli(['fix'], dir);
    assert.equal(dry.code, 1);
    assert.match(
      dry.stdout,
      /^--- \/dev\/null\n\+\+\+ b\/tests\/pytest_memory_plugin\.py\n@@ -0,0 \+1,\d+ @@\n\+# pytest_memory_plugin \d+\.\d+\.\d+, /m,
    );
    assert.match(dry.stdout, /^--- \/dev\/null\n\+\+\+ b\/tests\/conftest\.py\n/m);
    assert.equal(existsSync(join(dir, 'tests', 'pytest_memory_plugin.py')), false, 'dry run creates nothing');
  });

  test('fix keeps CRLF line endings and the file mode', () => {
    const dir = project({ 'pytest.ini': '[pytest]\r\n# c\r\ntestpaths = a b\r\n' });
    chmodSync(join(dir, 'pytest.ini'), 0o640);
    const r = runCli(['fix', '--write', '--unsafe'], dir);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const text = readFileSync(join(dir, 'pytest.ini'), 'utf8');
    assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, `bare LF in ${JSON.stringify(text)}`);
    assert.match(text, /^\[pytest\]\r\n# c\r\ntestpaths = a\r\n/);
    assert.equal(statSync(join(dir, 'pytest.ini')).mode & 0o777, 0o640);
  });

  test('usage errors exit 2', () => {
    assert.equal(runCli(['check', '--format', 'nope']).code, 2);
    assert.equal(runCli(['frobnicate']).code, 2);
    assert.equal(runCli([]).code, 2);
  });

  test('a .py file alone (pre-commit passes changed files) gets the source rules of the config governing it, nothing about the config', () => {
    const dir = project({
      // pytest-asyncio in use (asyncio_mode): only then is `event_loop` the removed fixture.
      'pytest.ini': '[pytest]\ntestpaths = tests\naddopts = --strict-markers\nasyncio_mode = auto\n',
      'tests/sub/test_x.py': 'import pytest\n\n\n@pytest.mark.slow\nasync def test_a(event_loop):\n    pass\n',
    });
    const r = runCli(['check', '--format', 'json', 'tests/sub/test_x.py'], dir);
    assert.equal(r.code, 1, r.stderr);
    const findings = (JSON.parse(r.stdout) as { rule: string; file: string; line: number; column: number }[]).map(
      (f) => `${f.rule} ${f.file}:${f.line}:${f.column}`,
    );
    assert.deepEqual(findings, ['registered-markers tests/sub/test_x.py:4:2', 'no-event-loop-fixture tests/sub/test_x.py:5:18']);
  });

  test('a Python syntax error is one message with file and line, exit 2; that file is not written, the config is', () => {
    const dir = project({
      'pytest.ini': '[pytest]\naddopts = --strict-markers\n',
      'test_x.py': 'import pytest\n\n\n@pytest.mark.slow\ndef test_a(:\n    pass\n',
    });
    const r = runCli(['fix', '--write', '.'], dir);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /^test_x\.py:5:\d+: error: Python syntax error \(invalid syntax\): findings elsewhere in the file are reported, but the file is not written$/m,
    );
    assert.equal(readFileSync(join(dir, 'test_x.py'), 'utf8'), 'import pytest\n\n\n@pytest.mark.slow\ndef test_a(:\n    pass\n');
    // The config's fixes do not depend on the broken module (issue 20.6): they are written.
    assert.notEqual(readFileSync(join(dir, 'pytest.ini'), 'utf8'), '[pytest]\naddopts = --strict-markers\n');
  });

  test('--rule turns rules off or sets their options; a mistake in it is a usage error naming the rule', () => {
    const dir = project({ 'pytest.ini': '[pytest]\ntestpaths = tests\n', 'requirements-dev.txt': 'pytest\npytest-timeout\n' });
    const rulesOf = (out: string) => (JSON.parse(out) as { rule: string }[]).map((f) => f.rule).sort();
    const all = runCli(['check', '-f', 'json'], dir);
    assert.ok(rulesOf(all.stdout).includes('require-timeout'));
    const off = runCli(['check', '-f', 'json', '--rule', 'require-timeout:off', '--rule', '{"require-memory-limit": "off"}'], dir);
    assert.deepEqual(
      rulesOf(off.stdout),
      rulesOf(all.stdout).filter((r) => r !== 'require-timeout' && r !== 'require-memory-limit'),
    );
    const seconds = runCli(['fix', '--rule', 'require-timeout:["error", {"seconds": 30}]'], dir);
    assert.match(seconds.stdout, /^\+timeout = 30$/m);
    for (const [flag, message] of [
      ['no-such-rule:off', /--rule: unknown rule "no-such-rule"/],
      ['require-timeout:["loud"]', /--rule: require-timeout: level must be one of off, warn, error, not "loud"/],
      [
        'require-timeout:["warn", {"secs": 1}]',
        /--rule: require-timeout: unknown option "secs" \(options: seconds, requirePlugin, testTimeoutMs, hookTimeoutMs, requireExplicit, maxTimeoutMs\)/,
      ],
      ['require-timeout:["warn", {"seconds": "1"}]', /--rule: require-timeout: option "seconds" must be number, not "1"/],
      ['require-timeout', /expected rule-id:level/],
    ] as const) {
      const r = runCli(['check', '--rule', flag], dir);
      assert.equal(r.code, 2, flag);
      assert.match(r.stderr, message);
    }
  });

  test('rules lists every rule; explain prints a rule page; an unknown rule exits 2', () => {
    const list = runCli(['rules']);
    assert.equal(list.code, 0);
    for (const id of [
      'single-test-root',
      'function-loop-scope',
      'require-timeout',
      'require-memory-limit',
      'known-options',
      'require-strict-config',
    ]) {
      assert.match(list.stdout, new RegExp(`^${id}\\s`, 'm'));
    }
    const page = runCli(['explain', 'single-test-root']);
    assert.equal(page.code, 0);
    assert.match(page.stdout, /^## Fix safety\nUnsafe:/m);
    assert.equal(runCli(['explain', 'nope']).code, 2);
  });
});

describe('bad input: one message with file and line, exit 2, nothing written', () => {
  const cases: [string, Record<string, string | Buffer>, RegExp][] = [
    ['binary file', { 'pytest.ini': Buffer.from([0x5b, 0x70, 0x0a, 0x00, 0x01]) }, /pytest\.ini:2:1: error: binary file/],
    [
      'invalid UTF-8',
      { 'pytest.ini': Buffer.concat([Buffer.from('[pytest]\ntestpaths = a\nx = '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]) },
      /pytest\.ini:3:5: error: invalid UTF-8/,
    ],
    [
      'a BOM',
      { 'pytest.ini': '\ufeff[pytest]\ntestpaths = a b\n' },
      /pytest\.ini:1:1: error: file starts with a UTF-8 byte order mark; pytest \(iniconfig\) reads it as part of line 1/,
    ],
    [
      'broken INI',
      { 'pytest.ini': '[pytest]\ntestpaths = a b\nthis is not ini\n' },
      /pytest\.ini:3:1: error: pytest cannot read this file \(iniconfig\): unexpected line: 'this is not ini'/,
    ],
    [
      'duplicate key',
      { 'tox.ini': '[testenv]\ndeps = a\ndeps = b\n\n[pytest]\ntestpaths = a b\n' },
      /tox\.ini:3:1: error: .*duplicate name 'deps'/,
    ],
    ['broken TOML', { 'pyproject.toml': '[tool.pytest.ini_options]\ntestpaths = ["a", "b"\n' }, /pyproject\.toml:3:1: error: invalid TOML/],
    ['a file over 10 MB', { 'pytest.ini': '[pytest]\n' + '# padding\n'.repeat(1_100_000) }, /pytest\.ini:1:1: error: file is 10\.5 MB/],
  ];
  for (const [name, files, message] of cases) {
    test(name, () => {
      const dir = project(files);
      const file = Object.keys(files)[0]!;
      const before = readFileSync(join(dir, file));
      for (const args of [['check'], ['fix', '--write', '--unsafe']]) {
        const r = runCli(args, dir);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      }
      assert.deepEqual(readFileSync(join(dir, file)), before);
    });
  }

  test('a directory named pytest.ini given explicitly', () => {
    const dir = project({ 'pytest.ini/x': '' });
    const r = runCli(['check', 'pytest.ini/'], dir);
    assert.equal(r.code, 0, 'a directory is walked, and holds no config');
    const f = runCli(['check', 'missing.ini'], dir);
    assert.equal(f.code, 2);
    assert.match(f.stderr, /missing\.ini:1:1: error: cannot read file: no such file/);
  });

  test('one broken file does not stop findings in another, nor the writes that do not depend on it', () => {
    const dir = project({ 'a/pytest.ini': SEED, 'b/pytest.ini': '[pytest]\nbroken line\n' });
    const r = runCli(['fix', '--write'], dir);
    assert.equal(r.code, 2);
    assert.notEqual(readFileSync(join(dir, 'a/pytest.ini'), 'utf8'), SEED, 'the sound config is fixed (issue 20.6)');
    assert.equal(readFileSync(join(dir, 'b/pytest.ini'), 'utf8'), '[pytest]\nbroken line\n');
    const c = runCli(['check', '--format', 'json'], dir);
    assert.equal(c.code, 2);
    assert.ok(JSON.parse(c.stdout).some((f: { file: string }) => f.file === 'a/pytest.ini'));
  });
});
