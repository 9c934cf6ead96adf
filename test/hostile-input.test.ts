/**
 * Issue 14 items 8–16 and issue 20 items 5–6, one case per row: what an attacker or a broken checkout throws
 * at the CLI, and what must come out (exit code, the message naming file:line:col, the bytes on disk).
 * Cases where permissions matter run the CLI as `nobody` (setpriv) when the suite runs as root.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { FileProblemError } from '../src/core/diagnostic.js';
import { readOptionalTextFile, readTextFile, writeFileAtomic } from '../src/core/fs.js';
import { compileGlobs, globsIgnore } from '../src/core/glob.js';
import { shlexSplit } from '../src/formats/shlex.js';
import { CLI, runCli, writeTree, type RunResult } from './support/env.js';

const SEED = '[pytest]\ntestpaths = tests other\naddopts = -ra\n';
const FIXABLE = '[pytest]\ntestpaths = tests\n';
/** The seed's policy findings (several roots, no timeout) are errors under `strict`: the cases about a run with errors state it. */
const STRICT = { '.netra-migrate.json': '{"preset": "strict"}\n' };
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** Run the CLI as an unprivileged user: as `nobody` through setpriv when root, else as ourselves. */
function runAsUser(args: string[], cwd: string): RunResult {
  const command = isRoot ? 'setpriv' : process.execPath;
  const argv = isRoot ? [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, ...args] : [CLI, ...args];
  const r = spawnSync(command, argv, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const setprivMissing =
  isRoot && spawnSync('setpriv', ['--version']).error ? 'setpriv not available to drop root; permission cases skipped' : false;

/** Give a tree to `nobody` (when root) so the unprivileged run can read and write what it should. */
function handToUser(dir: string): void {
  if (!isRoot) return;
  spawnSync('chown', ['-R', `${NOBODY}:${NOBODY}`, dir]);
}

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, `mkfifo ${path}: ${String(r.stderr)}`);
}

/** The CLI with a hard timeout: a hang is a failure, never a stuck suite. */
function runBounded(args: string[], cwd: string): RunResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.signal, null, `killed by ${r.signal}: the run hung`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('14.8 never block, never read unbounded', () => {
  const names = ['pyproject.toml', '.netra-migrate.json', 'package.json'];
  for (const name of names) {
    for (const where of ['cwd', 'parent'] as const) {
      test(`a FIFO named ${name} in the ${where}: exit 2 naming it, no hang`, () => {
        const dir = writeTree({ 'proj/pytest.ini': SEED });
        const cwd = join(dir, 'proj');
        mkfifo(join(where === 'cwd' ? cwd : dir, name));
        const r = runBounded(['check'], cwd);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, new RegExp(`${name.replace('.', '\\.')}:1:1: error: is a named pipe \\(FIFO\\), not a regular file`));
      });
    }
    test(`/dev/zero linked as ${name}: exit 2, nothing read`, () => {
      const dir = writeTree({ 'pytest.ini': SEED });
      symlinkSync('/dev/zero', join(dir, name));
      const r = runBounded(['check'], dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^${name.replace('.', '\\.')}:1:1: error: is a character device, not a regular file`, 'm'));
    });
  }

  test('dependency files go through the same read: a FIFO is an error, an absent file is null', () => {
    const dir = writeTree({ 'requirements.txt': 'pytest-asyncio\n' });
    mkfifo(join(dir, 'requirements-dev.txt'));
    assert.equal(readOptionalTextFile(join(dir, 'nope.txt')), null);
    assert.equal(readOptionalTextFile(join(dir, 'requirements.txt')), 'pytest-asyncio\n');
    assert.throws(
      () => readOptionalTextFile(join(dir, 'requirements-dev.txt')),
      (e: unknown) => e instanceof FileProblemError && /named pipe/.test(e.problem.message),
    );
  });
});

describe('14.9 never write outside', () => {
  test('fix --write through a directory link that leads outside the working directory is refused', () => {
    const outside = writeTree({ 'pytest.ini': FIXABLE, 'tests/test_a.py': '' });
    const dir = writeTree({});
    symlinkSync(outside, join(dir, 'linked'));
    const r = runCli(['fix', '--write', '--unsafe', 'linked'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^linked\/pytest\.ini:1:1: error: is reached through a symbolic link to .*, outside the working directory .*; netra-migrate does not write outside it/m,
    );
    assert.equal(readFileSync(join(outside, 'pytest.ini'), 'utf8'), FIXABLE, 'the file outside is untouched');
    assert.deepEqual(readdir(outside), ['pytest.ini', 'tests'], 'nothing created outside');
    assert.deepEqual(readdir(join(outside, 'tests')), ['test_a.py'], 'nothing created outside');
  });

  test('a directory link that stays inside the working directory is written through', () => {
    const dir = writeTree({ 'real/pytest.ini': FIXABLE, 'real/tests/test_a.py': '' });
    symlinkSync(join(dir, 'real'), join(dir, 'alias'));
    const r = runCli(['fix', '--write', 'alias'], dir);
    assert.ok([0, 1].includes(r.code), r.stderr);
    assert.match(readFileSync(join(dir, 'real', 'pytest.ini'), 'utf8'), /^memory_limit_mb = auto$/m);
  });
});

function readdir(dir: string): string[] {
  return spawnSync('ls', ['-A', dir], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
}

describe('14.10 keep what the file was', () => {
  for (const mode of [0o666, 0o640, 0o2664, 0o600]) {
    test(`mode ${mode.toString(8)} is kept exactly`, () => {
      const dir = writeTree({ 'pytest.ini': FIXABLE, 'tests/test_a.py': '' });
      chmodSync(join(dir, 'pytest.ini'), mode);
      const r = runCli(['fix', '--write'], dir);
      assert.ok([0, 1].includes(r.code), r.stderr);
      assert.match(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /^memory_limit_mb = auto$/m, 'fixed');
      assert.equal(statSync(join(dir, 'pytest.ini')).mode & 0o7777, mode);
    });
  }

  test(
    'owner and group are kept (root may set them)',
    { skip: isRoot ? false : 'not root: this process cannot give files to another owner' },
    () => {
      const dir = writeTree({ 'pytest.ini': FIXABLE, 'tests/test_a.py': '' });
      chownSync(join(dir, 'pytest.ini'), NOBODY, NOBODY);
      const r = runCli(['fix', '--write'], dir);
      assert.ok([0, 1].includes(r.code), r.stderr);
      const st = statSync(join(dir, 'pytest.ini'));
      assert.deepEqual([st.uid, st.gid], [NOBODY, NOBODY]);
      assert.match(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /^memory_limit_mb = auto$/m);
    },
  );

  test('a read-only file is refused, also for root; the rest is written', () => {
    const dir = writeTree({ 'pytest.ini': FIXABLE, 'tests/test_a.py': '', 'sub/pytest.ini': FIXABLE, 'sub/tests/test_a.py': '' });
    chmodSync(join(dir, 'pytest.ini'), 0o444);
    const r = runCli(['fix', '--write'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^pytest\.ini:1:1: error: file is read-only; netra-migrate does not write read-only files$/m);
    assert.equal(readFileSync(join(dir, 'pytest.ini'), 'utf8'), FIXABLE);
    assert.match(readFileSync(join(dir, 'sub', 'pytest.ini'), 'utf8'), /^memory_limit_mb = auto$/m, 'the other config is written');
  });

  test('a file not writable by the user is refused with a message (as nobody)', { skip: setprivMissing }, () => {
    const dir = writeTree({ 'pytest.ini': FIXABLE, 'tests/test_a.py': '' });
    handToUser(dir);
    chmodSync(dir, 0o777);
    if (isRoot) chownSync(join(dir, 'pytest.ini'), 0, 0);
    chmodSync(join(dir, 'pytest.ini'), 0o644);
    const r = runAsUser(['fix', '--write'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^pytest\.ini:1:1: error: cannot write file: permission denied$/m);
    assert.equal(readFileSync(join(dir, 'pytest.ini'), 'utf8'), FIXABLE);
  });

  test('a change that keeps size and mtime is caught by comparing content', () => {
    const dir = writeTree({ 'pytest.ini': FIXABLE, 'tests/test_a.py': '' });
    const file = join(dir, 'pytest.ini');
    const loaded = readTextFile(file);
    // `touch -r` copies the mtime to the nanosecond (utimes from JS would round it).
    assert.equal(spawnSync('cp', ['--preserve=timestamps', file, join(dir, 'ref')]).status, 0);
    const swapped = FIXABLE.replace('tests', 'TESTS');
    writeFileSync(file, swapped);
    assert.equal(spawnSync('touch', ['-m', '-r', join(dir, 'ref'), file]).status, 0);
    assert.equal(statSync(file).mtimeMs, loaded.stat.mtimeMs, 'same mtime');
    assert.throws(
      () => writeFileAtomic(loaded, '[pytest]\n'),
      (e: unknown) => e instanceof FileProblemError && /changed on disk since it was read/.test(e.problem.message),
    );
    assert.equal(readFileSync(file, 'utf8'), swapped);
  });

  test('a dangling symbolic link is named as such, as an input and where a fix would create a file', () => {
    const dir = writeTree({ 'pytest.ini': FIXABLE, 'tests/test_a.py': '' });
    symlinkSync(join(dir, 'gone.ini'), join(dir, 'dangling.ini'));
    const given = runCli(['check', 'dangling.ini'], dir);
    assert.equal(given.code, 2);
    assert.match(given.stderr, /^dangling\.ini:1:1: error: cannot read file: is a dangling symbolic link to .*gone\.ini$/m);
    symlinkSync(join(dir, 'nowhere.py'), join(dir, 'tests', 'pytest_memory_plugin.py'));
    const r = runCli(['fix', '--write', '--unsafe'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^tests\/pytest_memory_plugin\.py:1:1: error: is a dangling symbolic link to .*nowhere\.py; netra-migrate does not write through links$/m,
    );
    assert.doesNotMatch(r.stderr, /appeared on disk/);
    // The config edit that would load the plugin belongs to the same fix: held back with it (issue 20.6).
    assert.match(r.stderr, /^pytest\.ini: not written: a fix also edits .*pytest_memory_plugin\.py, which is not written$/m);
    assert.equal(readFileSync(join(dir, 'pytest.ini'), 'utf8'), FIXABLE);
  });
});

describe('14.11 nothing skipped silently', () => {
  test('an unreadable directory is reported, exit 2 (as nobody)', { skip: setprivMissing }, () => {
    const dir = writeTree({ 'pytest.ini': SEED, 'locked/pytest.ini': SEED });
    handToUser(dir);
    chmodSync(join(dir, 'locked'), 0);
    const r = runAsUser(['check'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^locked:1:1: error: cannot read directory: permission denied$/m);
  });

  test('a path beyond PATH_MAX is reported, exit 2', () => {
    const dir = writeTree({ 'pytest.ini': SEED });
    const segment = 'd'.repeat(200);
    // Relative steps: no single call sees the whole path (which mkdir -p or a shell's cd would refuse).
    const made = spawnSync('python3', [
      '-c',
      `import os\nos.chdir(${JSON.stringify(dir)})\nfor _ in range(25):\n    os.mkdir(${JSON.stringify(segment)})\n    os.chdir(${JSON.stringify(segment)})\n`,
    ]);
    assert.equal(made.status, 0, String(made.stderr));
    const r = runCli(['check'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error: cannot read directory: path is longer than the system allows \(PATH_MAX\)$/m);
  });

  test('a directory name that is not UTF-8 is reported, exit 2', () => {
    const dir = writeTree({ 'pytest.ini': SEED });
    const made = spawnSync('sh', ['-c', `mkdir "$1/bad$(printf '\\377')"`, 'sh', dir]);
    assert.equal(made.status, 0, String(made.stderr));
    const r = runCli(['check'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^bad\uFFFD:1:1: error: name is not valid UTF-8; netra-migrate cannot read it: rename it$/m);
  });
});

describe('14.12 bounded work on hostile sizes', () => {
  test('20,000 INI continuation lines: every item located, linear code', { timeout: 120_000 }, (t) => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `    -p no:x${i}`);
    const dir = writeTree({ 'pytest.ini': `[pytest]\ntestpaths = tests\naddopts =\n${lines.join('\n')}\n` });
    const started = Date.now();
    const r = runCli(['check', '-f', 'json'], dir);
    t.diagnostic(`20,000 continuation lines: ${Date.now() - started} ms wall (whole CLI)`);
    assert.equal(r.code, 0, r.stderr); // a missing timeout: a warning under the default preset
    assert.ok((JSON.parse(r.stdout) as { rule: string }[]).some((f) => f.rule === 'require-timeout'));
  });

  test('a 9 MB single token splits into one token', { timeout: 60_000 }, (t) => {
    const token = 'x'.repeat(9 * 1024 * 1024);
    const started = Date.now();
    const tokens = shlexSplit(`-p ${token} "a b"`);
    t.diagnostic(`9 MB token: ${Date.now() - started} ms`);
    assert.deepEqual(
      tokens.map((tk) => [tk.value.length, tk.start, tk.end]),
      [
        [2, 0, 2],
        [token.length, 3, 3 + token.length],
        [3, 4 + token.length, 9 + token.length],
      ],
    );
  });

  test('ignore globs: ten ** segments match in linear time; [] {} ! work', { timeout: 60_000 }, (t) => {
    const evil = compileGlobs([Array.from({ length: 10 }, () => '**/a').join('/') + '/b']);
    const deep = Array.from({ length: 60 }, () => 'a').join('/') + '/c';
    const started = Date.now();
    assert.equal(globsIgnore(evil, deep), false);
    assert.equal(globsIgnore(evil, Array.from({ length: 60 }, () => 'a').join('/') + '/b'), true);
    t.diagnostic(`ten **/a segments on a 61-part path: ${Date.now() - started} ms`);
    const globs = compileGlobs(['legacy/**', '*.{ini,cfg}', 'v[0-9]/', '!keep.ini', 'docs/{a/b,c}']);
    const cases: [string, boolean][] = [
      ['legacy/pytest.ini', true],
      ['src/setup.cfg', true],
      ['keep.ini', false],
      ['v1/x.toml', true],
      ['vx/x.toml', false],
      ['docs/a/b/pytest.ini', true],
      ['docs/c/pytest.ini', true],
      ['docs/a/pytest.toml', false],
      ['pyproject.toml', false],
    ];
    for (const [path, ignored] of cases) assert.equal(globsIgnore(globs, path), ignored, path);
  });
});

describe('14.13 options validated for real', () => {
  const cases: [string, Record<string, string>, string[], RegExp][] = [
    [
      'TOML __proto__ table',
      { 'pyproject.toml': '[tool.netra-migrate."__proto__"]\nignore = ["**"]\n' },
      [],
      /^pyproject\.toml:2:1: error: "__proto__" is not allowed as a key$/m,
    ],
    [
      'TOML constructor under rules',
      { 'pyproject.toml': '[tool.netra-migrate.rules.constructor]\nx = 1\n' },
      [],
      /^pyproject\.toml:2:1: error: "constructor" is not allowed as a key$/m,
    ],
    [
      'JSON __proto__',
      { '.netra-migrate.json': '{\n  "__proto__": { "ignore": ["**"] }\n}\n' },
      [],
      /^\.netra-migrate\.json:2:1: error: "__proto__" is not allowed as a key/m,
    ],
    [
      'JSON __proto__ under rules',
      { '.netra-migrate.json': '{\n  "rules": {\n    "__proto__": "off"\n  }\n}\n' },
      [],
      /^\.netra-migrate\.json:3:1: error: "__proto__" is not allowed as a key/m,
    ],
    [
      '--rule __proto__',
      {},
      ['--rule', '{"__proto__": {"require-timeout": "off"}}'],
      /^netra-migrate: --rule .*"__proto__" is not allowed as a key/m,
    ],
    [
      'seconds: -5 in TOML',
      { 'pyproject.toml': '[tool.netra-migrate.rules]\nrequire-timeout = ["error", { seconds = -5 }]\n' },
      [],
      /^pyproject\.toml:2:1: error: rules: require-timeout: option "seconds" must be a number above 0 and at most 86400, not -5$/m,
    ],
    [
      'limitMb "-3" in --rule',
      {},
      ['--rule', 'require-memory-limit:["error", {"limitMb": "-3"}]'],
      /^netra-migrate: --rule: require-memory-limit: option "limitMb" must match pattern/m,
    ],
    [
      'limitMb -3 in --rule',
      {},
      ['--rule', 'require-memory-limit:["error", {"limitMb": -3}]'],
      /^netra-migrate: --rule: require-memory-limit: option "limitMb" must be a number above 0 and at most 1048576, not -3$/m,
    ],
    ['unknown option', {}, ['--rule', 'require-timeout:["error", {"secs": 5}]'], /unknown option "secs" \(options: seconds/],
  ];
  for (const [name, files, args, expected] of cases) {
    test(name, () => {
      const dir = writeTree({ 'pytest.ini': SEED, ...files });
      const r = runCli(['check', ...args], dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, expected);
      assert.equal(r.stdout, '', 'no findings shown under a bad config');
    });
  }
});

describe('14.14 output integrity', () => {
  const forged =
    'x\n/tmp/evil.ini: line 1, col 1, Error - forged (single-test-root)\n::error file=evil::forged\n  9:9  error  forged  single-test-root';
  for (const format of ['compact', 'github', 'stylish'] as const) {
    test(`a newline in a path never forges a finding line (${format})`, () => {
      const dir = writeTree({ [`${forged}/pytest.ini`]: SEED });
      const r = runCli(['check', '-f', format], dir);
      assert.equal(r.code, 0, r.stderr); // several roots: a warning under the default preset
      const lines = r.stdout.split('\n');
      assert.ok(!lines.some((l) => l.startsWith('/tmp/evil.ini') || l.startsWith('::error file=evil') || l.startsWith('  9:9')), r.stdout);
      if (format === 'compact')
        for (const l of lines.filter(Boolean)) assert.match(l, /^\/.*: line \d+, col \d+, (Error|Warning|Info) - .* \([a-z-]+\)$/);
      if (format === 'github') for (const l of lines.filter(Boolean)) assert.match(l, /^::(error|warning|notice) /);
    });
  }

  test('a newline in a problem message (stderr) stays on one line', () => {
    const dir = writeTree({ [`${forged}/pytest.ini`]: '[pytest\n' });
    const r = runCli(['check', '-f', 'compact'], dir);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
  });
});

describe('14.15 parse problems are findings in every format', () => {
  const files = { 'pytest.ini': '[pytest]\ntestpaths = tests\n  [broken\nx\n', 'ok/pytest.ini': SEED };
  test('json', () => {
    const r = runCli(['check', '-f', 'json'], writeTree(files));
    assert.equal(r.code, 2);
    const found = (JSON.parse(r.stdout) as { file: string; rule: string; line: number; column: number }[]).find(
      (f) => f.rule === 'parse-error',
    );
    assert.deepEqual(found && [found.file, found.line, found.column], ['pytest.ini', 4, 1]);
  });
  test('sarif', () => {
    const r = runCli(['check', '-f', 'sarif'], writeTree(files));
    assert.equal(r.code, 2);
    const run = (
      JSON.parse(r.stdout) as {
        runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
      }
    ).runs[0]!;
    const found = run.results.find((x) => x.ruleId === 'parse-error');
    assert.equal(found?.locations[0]?.physicalLocation.artifactLocation.uri, 'pytest.ini');
  });
  test('compact and github', () => {
    const compact = runCli(['check', '-f', 'compact'], writeTree(files));
    assert.equal(compact.code, 2);
    assert.match(compact.stdout, /\/pytest\.ini: line 4, col 1, Error - .* \(parse-error\)$/m);
    const github = runCli(['check', '-f', 'github'], writeTree(files));
    assert.equal(github.code, 2);
    assert.match(github.stdout, /^::error file=pytest\.ini,line=4,col=1,title=netra-migrate::/m);
  });

  test('valid Python that tree-sitter misreads (dedent inside brackets) is not broken input and blocks nothing', () => {
    const conftest =
      'import pytest\n\nclass T:\n    def f(self):\n        from os import (\n    path,\n)\n        return path\n\n@pytest.fixture(scope="session")\nasync def db():\n    yield 1\n';
    const dir = writeTree({ 'pytest.ini': '[pytest]\ntestpaths = .\nasyncio_mode = auto\n', 'conftest.py': conftest });
    const r = runCli(['fix', '--write', '--unsafe'], dir);
    assert.doesNotMatch(r.stderr, /syntax error/i);
    assert.notEqual(r.code, 2, r.stderr);
    assert.match(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /^memory_limit_mb = auto$/m, 'the config is written');
  });

  test('Python CPython rejects (Python 2 print) is never edited; the rest is written', () => {
    // A project on pytest-asyncio, so async-fixture-scope offers an edit to this very file.
    const conftest = 'import pytest\n\nprint "hello"\n\n@pytest.fixture(scope="session")\nasync def db():\n    return 1\n';
    const dir = writeTree({
      'pytest.ini': '[pytest]\ntestpaths = tests\nasyncio_mode = auto\n',
      'conftest.py': conftest,
      'tests/test_a.py': '',
      'requirements.txt': 'pytest-asyncio\n',
    });
    const r = runCli(['fix', '--write', '--unsafe'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^conftest\.py:3:\d+: error: Python syntax error \(CPython: Missing parentheses in call to 'print'.*\); the file is never edited$/m,
    );
    assert.match(r.stderr, /^conftest\.py: not written: the file as read does not parse$/m);
    assert.equal(readFileSync(join(dir, 'conftest.py'), 'utf8'), conftest);
    assert.match(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /^memory_limit_mb = auto$/m);
  });

  test('a package.json that is not JSON: exit 2 with file:line:col, in check and fix', () => {
    const dir = writeTree({
      'package.json': '{\n  "name": "x",\n  oops\n}\n',
      'jest.config.js': 'module.exports = { roots: ["a", "b"] };\n',
    });
    const check = runCli(['check'], dir);
    assert.equal(check.code, 2);
    assert.match(check.stderr, /^package\.json:3:3: error: JSON syntax error: /m);
    const fix = runCli(['fix'], dir);
    assert.equal(fix.code, 2);
    assert.doesNotMatch(fix.stderr, /a fix produced/);
  });
});

describe('14.16 honest summaries and arguments', () => {
  test('--rule and --profile take one value each and never swallow the path after them', () => {
    const dir = writeTree({ 'sub/pytest.ini': SEED, 'other/pytest.ini': SEED });
    const r = runCli(['check', '--rule', 'require-fail-fast:off', 'sub', '-f', 'json'], dir);
    assert.equal(r.code, 0, r.stderr); // warnings only under the default preset
    const findings = JSON.parse(r.stdout) as { file: string; rule: string }[];
    assert.deepEqual([...new Set(findings.map((f) => f.file))], ['sub/pytest.ini'], 'only the path given');
    assert.ok(!findings.some((f) => f.rule === 'require-fail-fast'), 'the rule setting applied');
    const p = runCli(['fix', '--profile', 'docker', 'sub'], dir);
    assert.ok([1].includes(p.code), p.stderr);
    assert.match(p.stdout, /b\/sub\/pytest-docker\.ini/);
    assert.doesNotMatch(p.stdout, /other\//);
  });

  test('a fix --write that writes nothing lists exactly the findings that remain', () => {
    const dir = writeTree({ 'pytest.ini': FIXABLE, 'tests/test_a.py': '' });
    chmodSync(join(dir, 'pytest.ini'), 0o444);
    const before = runCli(['check', '-f', 'json'], dir);
    const r = runCli(['fix', '--write', '-f', 'json'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^nothing written; \d+ files? not written/m);
    const strip = (s: string) =>
      (JSON.parse(s) as { rule: string; line: number }[])
        .filter((f) => f.rule !== 'parse-error')
        .map((f) => `${f.rule}@${f.line}`)
        .sort();
    assert.deepEqual(strip(r.stdout), strip(before.stdout), 'the findings on disk, not those of the unwritten fixes');
  });
});

describe('20.5 templates are not configs', () => {
  test('a cookiecutter tree is skipped and listed as skipped', () => {
    const dir = writeTree({
      'pytest.ini': FIXABLE,
      'tests/test_a.py': '',
      '{{cookiecutter.project_slug}}/pyproject.toml': '[tool.pytest.ini_options]\n{# jinja #}\ntestpaths = ["{{ cookiecutter.tests }}"]\n',
      '{% if docker %}compose{% endif %}/compose.yaml': 'services:\n  {{ name }}: {}\n',
    });
    const r = runCli(['check', '--show-files'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\{\{cookiecutter\.project_slug\}\}\/[ \t]skipped: template \(placeholders in its name\)$/m);
    assert.match(r.stdout, /^\{% if docker %\}compose\{% endif %\}\/[ \t]skipped: template/m);
    assert.match(r.stdout, /^pytest\.ini\tpytest: config$/m);
    const fix = runCli(['fix', '--write'], dir);
    assert.notEqual(fix.code, 2, fix.stderr);
    assert.match(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /^memory_limit_mb = auto$/m);
  });
});

describe('20.6 one broken file blocks only what depends on it', () => {
  test('a broken compose file and a broken test module: the pytest config is still fixed, the summary names each', () => {
    const files = {
      'pytest.ini': FIXABLE,
      'compose.yaml': 'services:\n  tests:\n    command: pytest\n   bad: [\n',
      'tests/test_x.py': 'import pytest\n\n@pytest.fixture(scope="session")\nasync def db(:\n    yield 1\n',
    };
    const dir = writeTree(files);
    const r = runCli(['fix', '--write'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^compose\.yaml:\d+:\d+: error: /m);
    assert.match(r.stderr, /^tests\/test_x\.py:4:\d+: error: Python syntax error/m);
    assert.match(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /^memory_limit_mb = auto$/m);
    assert.match(r.stderr, /^(fixed|wrote) /m);
    assert.equal(readFileSync(join(dir, 'compose.yaml'), 'utf8'), files['compose.yaml']);
    assert.equal(readFileSync(join(dir, 'tests/test_x.py'), 'utf8'), files['tests/test_x.py']);
  });
});

/** The CLI with its cache on (the suite turns it off elsewhere) and a hard timeout. */
function runCached(args: string[], cwd: string): RunResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1', NETRA_MIGRATE_NO_CACHE: '' },
  });
  assert.equal(r.signal, null, `killed by ${r.signal}: the run hung`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const CACHE_FILE = join('.netra-migrate-cache', 'cache.json');

describe('26.1 the cache is read with the guards of every read', () => {
  const cases: [string, (file: string) => void, RegExp][] = [
    ['a FIFO', (file) => mkfifo(file), /is a named pipe \(FIFO\), not a regular file/],
    ['a link to /dev/zero', (file) => symlinkSync('/dev/zero', file), /is a character device, not a regular file/],
    // Sparse: 300 MB by its size, no disk used; read whole, it took 620 MB.
    [
      'a 300 MB file',
      (file) => {
        writeFileSync(file, '');
        truncateSync(file, 300 * 1024 * 1024);
      },
      /file is 300\.0 MB; netra-migrate reads files up to 64 MB/,
    ],
  ];
  for (const [name, plant, why] of cases) {
    test(`cache.json replaced by ${name}: ignored with one note, same findings, rebuilt`, () => {
      const dir = writeTree({ 'pytest.ini': SEED, ...STRICT });
      const first = runCached(['check', '-f', 'json'], dir);
      assert.equal(first.code, 1, first.stderr);
      const file = join(dir, CACHE_FILE);
      rmSync(file);
      plant(file);
      const r = runCached(['check', '-f', 'json'], dir);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, first.stdout);
      const notes = r.stderr.split('\n').filter(Boolean);
      assert.equal(notes.length, 1, r.stderr);
      assert.match(notes[0]!, new RegExp(`^netra-migrate: \\.netra-migrate-cache/cache\\.json: cache ignored and rebuilt: ${why.source}`));
      assert.ok(lstatSync(file).isFile(), 'a regular cache file again');
      const again = runCached(['check', '-f', 'json'], dir);
      assert.equal(again.stderr, '');
      assert.equal(again.stdout, first.stdout);
    });
  }
});

describe('26.2 the cache folder obeys the write boundary', () => {
  test('a cache folder that is a link out of the project is not used, said once; nothing written there', () => {
    const root = writeTree({ 'proj/pytest.ini': SEED, 'proj/.netra-migrate.json': STRICT['.netra-migrate.json'] });
    mkdirSync(join(root, 'out'));
    const cwd = join(root, 'proj');
    symlinkSync('../out', join(cwd, '.netra-migrate-cache'));
    const r = runCached(['check', '-f', 'json'], cwd);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.stderr.split('\n').filter(Boolean), [
      'netra-migrate: .netra-migrate-cache: cache not used: it is a symbolic link; netra-migrate does not write through links',
    ]);
    assert.deepEqual(readdir(join(root, 'out')), [], 'nothing written outside');
    assert.ok((JSON.parse(r.stdout) as { rule: string }[]).some((f) => f.rule === 'single-test-root'));
  });

  test('links planted inside the cache folder are never written through', () => {
    const root = writeTree({ 'proj/pytest.ini': SEED, 'proj/.netra-migrate.json': STRICT['.netra-migrate.json'] });
    const cwd = join(root, 'proj');
    mkdirSync(join(cwd, '.netra-migrate-cache'));
    symlinkSync(join(root, 'planted-gitignore'), join(cwd, '.netra-migrate-cache', '.gitignore'));
    symlinkSync(join(root, 'planted-tag'), join(cwd, '.netra-migrate-cache', 'CACHEDIR.TAG'));
    const r = runCached(['check'], cwd);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(readdir(root), ['proj'], 'no file created through a dangling link');
  });
});

describe('26.15 a cache of the wrong shape is a recompute', () => {
  const shapes: [string, (run: Record<string, unknown>) => void][] = [
    ['result.problems an object', (run) => ((run.result as Record<string, unknown>).problems = {})],
    ['a diagnostic without a line', (run) => delete (run.result as { diagnostics: Record<string, unknown>[] }).diagnostics[0]!.line],
    ['deps a list', (run) => (run.deps = [1, 2])],
    ['result null', (run) => (run.result = null)],
  ];
  for (const [name, damage] of shapes) {
    test(name, () => {
      const dir = writeTree({ 'pytest.ini': SEED, ...STRICT });
      const first = runCached(['check', '-f', 'json'], dir);
      assert.equal(first.code, 1, first.stderr);
      const file = join(dir, CACHE_FILE);
      const data = JSON.parse(readFileSync(file, 'utf8')) as { runs: Record<string, Record<string, unknown>> };
      for (const run of Object.values(data.runs)) damage(run);
      writeFileSync(file, JSON.stringify(data));
      const r = runCached(['check', '-f', 'json'], dir);
      assert.equal(r.code, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /internal error/);
      assert.match(
        r.stderr,
        /^netra-migrate: \.netra-migrate-cache\/cache\.json: cache ignored and rebuilt: it does not have the shape this build writes$/m,
      );
      assert.equal(r.stdout, first.stdout);
      assert.equal(runCached(['check', '-f', 'json'], dir).stderr, '', 'rebuilt: the next run has nothing to say');
    });
  }
});

describe('26.19 a stale cache is never replayed', () => {
  const ONE_ROOT = SEED.replace('tests other', 'tests      '); // same size, one root
  const roots = (stdout: string) => (JSON.parse(stdout) as { rule: string }[]).filter((f) => f.rule === 'single-test-root').length;

  test('a same-size edit with the mtime restored is seen (ctime and inode are in the key)', () => {
    const dir = writeTree({ 'pytest.ini': SEED });
    const file = join(dir, 'pytest.ini');
    assert.equal(ONE_ROOT.length, SEED.length);
    assert.equal(roots(runCached(['check', '-f', 'json'], dir).stdout), 1);
    assert.equal(spawnSync('cp', ['--preserve=timestamps', file, join(dir, 'ref')]).status, 0);
    writeFileSync(file, ONE_ROOT);
    assert.equal(spawnSync('touch', ['-m', '-r', join(dir, 'ref'), file]).status, 0);
    const r = runCached(['check', '-f', 'json'], dir);
    assert.equal(roots(r.stdout), 0, 'the old "lists 2 roots" is not replayed');
  });

  test('--no-cache refreshes an existing cache (the next plain run does not replay the old findings)', () => {
    const dir = writeTree({ 'pytest.ini': SEED });
    assert.equal(roots(runCached(['check', '-f', 'json'], dir).stdout), 1);
    writeFileSync(join(dir, 'pytest.ini'), ONE_ROOT);
    assert.equal(roots(runCached(['check', '--no-cache', '-f', 'json'], dir).stdout), 0);
    const stored = JSON.parse(readFileSync(join(dir, CACHE_FILE), 'utf8')) as {
      runs: Record<string, { result: { diagnostics: { rule: string }[] } }>;
    };
    const rules = Object.values(stored.runs).flatMap((run) => run.result.diagnostics.map((d) => d.rule));
    assert.ok(rules.length > 0, 'this run stored');
    assert.ok(!rules.includes('single-test-root'), 'the stale run is gone from the cache');
    assert.equal(roots(runCached(['check', '-f', 'json'], dir).stdout), 0);
  });

  test('--no-cache creates no cache where there is none', () => {
    const dir = writeTree({ 'pytest.ini': SEED });
    runCached(['check', '--no-cache'], dir);
    assert.deepEqual(readdir(dir), ['pytest.ini']);
  });
});

/**
 * The CLI with stdout (and with `both`, stderr) the write end of a pipe whose read end is already closed,
 * as `check . | true` leaves it: every write fails with EPIPE, deterministically.
 */
function runIntoClosedPipe(args: string[], cwd: string, both = false): RunResult {
  const script = [
    'import os, subprocess, sys',
    'r, w = os.pipe()',
    'os.close(r)',
    `p = subprocess.run(sys.argv[1:], stdout=w, stderr=${both ? 'w' : 'subprocess.PIPE'}, cwd=${JSON.stringify(cwd)}, timeout=60)`,
    "sys.stderr.write((p.stderr or b'').decode('utf-8', 'replace'))",
    'sys.exit(p.returncode)',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, process.execPath, CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', NETRA_MIGRATE_NO_CACHE: '1' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('26.16 a closed stdout ends the run quietly', () => {
  for (const format of ['stylish', 'compact', 'json', 'github', 'sarif'] as const) {
    test(`check -f ${format} | true: the run's own exit code, nothing on stderr`, () => {
      const dir = writeTree({ 'pytest.ini': SEED, 'sub/pytest.ini': SEED, ...STRICT });
      const r = runIntoClosedPipe(['check', '-f', format], dir);
      assert.equal(r.stderr, '');
      assert.equal(r.code, 1);
    });
  }

  test('fix --write with stdout and stderr closed writes every file and exits with its code', () => {
    const dir = writeTree({ 'pytest.ini': FIXABLE, 'tests/test_a.py': '', 'sub/pytest.ini': FIXABLE, 'sub/tests/test_a.py': '' });
    const r = runIntoClosedPipe(['fix', '--write'], dir, true);
    assert.ok([0, 1].includes(r.code), `exit ${r.code}: ${r.stderr}`);
    for (const f of ['pytest.ini', 'sub/pytest.ini']) assert.match(readFileSync(join(dir, f), 'utf8'), /^memory_limit_mb = auto$/m, f);
  });

  test('a broken file with both closed: still exit 2', () => {
    const dir = writeTree({ 'pytest.ini': '[pytest\n' });
    assert.equal(runIntoClosedPipe(['check'], dir, true).code, 2);
  });

  test('rules (a yargs command) | true', () => {
    const r = runIntoClosedPipe(['rules'], writeTree({}));
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
  });
});

describe('26.10 every control character escaped in every format', () => {
  // ESC [2J (clear the screen), CSI as one C1 character (U+009B), DEL and a bell, in a directory name and in
  // a config value that reaches a message.
  const dirName = 'a\u001b[2J\u009bb\u007fc\u0007';
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
  for (const format of ['stylish', 'compact', 'json', 'github', 'sarif'] as const) {
    test(`${format}: no raw control character on stdout or stderr, each shown escaped`, () => {
      const dir = writeTree({
        [`${dirName}/pytest.ini`]: '[pytest]\ntestpaths = tests ot\u001bher\n',
        'broken\u001b]0;x\u0007/pytest.ini': '[pytest\n',
      });
      const r = runCli(['check', '-f', format], dir);
      assert.equal(r.code, 2, r.stderr);
      assert.doesNotMatch(r.stdout, RAW);
      assert.doesNotMatch(r.stderr, RAW);
      assert.match(r.stdout, /ot\\u001bher/, 'the config value, escaped');
      assert.ok(r.stdout.includes('a\\u001b[2J\\u009bb\\u007fc\\u0007'), 'the directory name, escaped');
      if (format === 'json') {
        const files = (JSON.parse(r.stdout) as { file: string }[]).map((f) => f.file);
        assert.ok(files.includes(`${dirName}/pytest.ini`), 'JSON escapes decode to the real name');
      }
    });
  }

  test('fix (diff and summary) and print-config escape them too', () => {
    const dir = writeTree({ [`${dirName}/pytest.ini`]: FIXABLE });
    const diff = runCli(['fix', dirName], dir);
    assert.equal(diff.code, 1, diff.stderr);
    assert.doesNotMatch(diff.stdout, RAW);
    const write = runCli(['fix', '--write', '--unsafe', dirName], dir);
    assert.doesNotMatch(write.stderr, RAW);
    const config = runCli(['print-config', `${dirName}/pytest.ini`], dir);
    assert.doesNotMatch(config.stdout, RAW);
  });
});

describe('26.11 mixed line endings: existing lines byte for byte, inserted lines take the ending they follow', () => {
  /** The lines of a text, each with its own ending. */
  const lines = (text: string) => text.match(/[^\r\n]*(?:\r\n|\n|\r|$)/g)!.filter((l) => l !== '');
  const cases: [string, string, string[], string][] = [
    // [file, text, lines that must survive exactly, the ending of every line added after the last of them]
    ['pytest.ini', '[pytest]\r\ntestpaths = tests docs\nmarkers =\r\n    a: b\n', ['[pytest]\r\n', 'markers =\r\n', '    a: b\n'], '\n'],
    ['pytest.ini', '[pytest]\ntestpaths = tests docs\r\nmarkers =\n    a: b\r\n', ['[pytest]\n', 'markers =\n', '    a: b\r\n'], '\r\n'],
    ['tox.ini', '[tox]\r\nenvlist = py\r\n\n[pytest]\ntestpaths = tests\n', ['[tox]\r\n', 'envlist = py\r\n', '[pytest]\n'], '\n'],
    [
      'pyproject.toml',
      '[tool.pytest.ini_options]\r\ntestpaths = ["tests"]\n',
      ['[tool.pytest.ini_options]\r\n', 'testpaths = ["tests"]\n'],
      '\n',
    ],
    [
      'compose.yaml',
      'services:\r\n  tests:\r\n    image: python\n    command: pytest\n',
      ['services:\r\n', '  tests:\r\n', '    image: python\n', '    command: pytest\n'],
      '\n',
    ],
  ];
  for (const [name, text, kept, added] of cases) {
    test(`${name}: ${JSON.stringify(text.slice(0, 40))}…`, () => {
      const dir = writeTree({ [name]: text });
      const r = runCli(['fix', '--write', '--unsafe'], dir);
      assert.ok([0, 1].includes(r.code), r.stderr);
      const after = lines(readFileSync(join(dir, name), 'utf8'));
      assert.notDeepEqual(after, lines(text), 'the fix wrote something');
      let at = -1;
      for (const line of kept) {
        const found = after.indexOf(line, at + 1);
        assert.ok(found > at, `${JSON.stringify(line)} kept byte for byte, in order, in ${JSON.stringify(after)}`);
        at = found;
      }
      const inserted = after.slice(at + 1);
      assert.ok(inserted.length > 0, 'lines were added after the last kept one');
      for (const line of inserted) assert.ok(line.endsWith(added) && !line.slice(0, -added.length).includes('\r'), JSON.stringify(line));
    });
  }
});

describe('26.6 a special file named like any file kind is an error, in a walk and on the command line', () => {
  const special: Record<string, [(path: string) => void, string]> = {
    fifo: [mkfifo, 'is a named pipe \\(FIFO\\)'],
    socket: [
      (path) => {
        const r = spawnSync('python3', ['-c', 'import socket, sys\nsocket.socket(socket.AF_UNIX).bind(sys.argv[1])', path]);
        assert.equal(r.status, 0, String(r.stderr));
      },
      'is a socket',
    ],
    '/dev/zero link': [(path) => symlinkSync('/dev/zero', path), 'is a character device'],
    '/dev/urandom link': [(path) => symlinkSync('/dev/urandom', path), 'is a character device'],
  };
  const names = [
    'pytest.ini',
    'tox.ini',
    'setup.cfg',
    'pytest-docker.ini',
    'jest.config.js',
    'vitest.config.ts',
    'docker-compose.yml',
    '.github/workflows/x.yml',
    '.gitlab-ci.yml',
    'Makefile',
    'noxfile.py',
    'conftest.py',
    'tests/test_a.py',
    'web/app.test.ts',
    'setup.py',
    'requirements.txt',
    'Pipfile',
    '.gitignore',
  ];
  const project = (name: string) =>
    writeTree({
      ...(name === 'pytest.ini' ? { 'tox.ini': '[pytest]\ntestpaths = tests\n' } : { 'pytest.ini': FIXABLE }),
      'tests/.keep': '',
      'web/.keep': '',
      '.github/workflows/.keep': '',
    });
  const expect = (r: RunResult, name: string, what: string) => {
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith(`${name}:`));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      new RegExp(`^${name.replace(/\./g, '\\.')}:1:1: error: ${what}, not a regular file; netra-migrate reads regular files only$`),
    );
  };
  for (const name of names) {
    test(`a FIFO named ${name}: in a walk and named on the command line`, () => {
      const dir = project(name);
      mkfifo(join(dir, name));
      expect(runBounded(['check'], dir), name, special.fifo![1]);
      expect(runBounded(['check', name], dir), name, special.fifo![1]);
    });
  }
  for (const [kind, [make, what]] of Object.entries(special).filter(([k]) => k !== 'fifo'))
    for (const name of ['pytest.ini', 'conftest.py', 'docker-compose.yml', 'setup.py'])
      test(`a ${kind} named ${name} in a walk`, () => {
        const dir = project(name);
        make(join(dir, name));
        expect(runBounded(['check'], dir), name, what);
      });

  test('an ignored FIFO is left out like any ignored file; a FIFO of no file kind is none of the run', () => {
    const dir = writeTree({ 'pytest.ini': FIXABLE, '.ignore': 'tests/test_gone.py\n', 'tests/.keep': '' });
    mkfifo(join(dir, 'tests', 'test_gone.py'));
    mkfifo(join(dir, 'notes.txt'));
    const r = runBounded(['check'], dir);
    assert.notEqual(r.code, 2, r.stderr);
  });

  test('26.17 a FIFO named pytest-docker.ini with fix --write --profile docker: exit 2 naming it, the FIFO left as it is', () => {
    const dir = writeTree({ 'pytest.ini': FIXABLE });
    mkfifo(join(dir, 'pytest-docker.ini'));
    const r = runBounded(['fix', '--write', '--profile', 'docker'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^pytest-docker\.ini:1:1: error: is a named pipe \(FIFO\), not a regular file/m);
    assert.doesNotMatch(r.stderr, /nothing to fix/);
    assert.ok(lstatSync(join(dir, 'pytest-docker.ini')).isFIFO());
  });
});

describe('26.18 temporary files never outlive a run', () => {
  const temps = (dir: string) =>
    spawnSync('find', [dir, '-name', '*.netra-migrate-*.tmp'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(
      `${signal} during fix --write: no temporary file left, no torn file, the process ends by the signal`,
      { timeout: 600_000 },
      async () => {
        const N = 400;
        const files: Record<string, string> = {};
        for (let i = 0; i < N; i++) files[`p${String(i).padStart(4, '0')}/pytest.ini`] = FIXABLE;
        const dir = writeTree(files);
        // What a whole run makes of one such file: every file ends as it was or as this, never in between.
        const alone = writeTree({ 'pytest.ini': FIXABLE });
        runCli(['fix', '--write'], alone);
        const whole = readFileSync(join(alone, 'pytest.ini'), 'utf8');
        assert.notEqual(whole, FIXABLE, 'a run fixes such a file');
        const fixed = (i: number) => readFileSync(join(dir, `p${String(i).padStart(4, '0')}`, 'pytest.ini'), 'utf8') !== FIXABLE;
        const child = spawn(process.execPath, [CLI, 'fix', '--write'], {
          cwd: dir,
          stdio: 'ignore',
          env: { ...process.env, NETRA_MIGRATE_NO_CACHE: '1' },
        });
        const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
          child.on('exit', (code, sig) => done({ code, signal: sig })),
        );
        // Wait for the write phase (the first file written), then interrupt it.
        const started = Date.now();
        while (!fixed(0) && Date.now() - started < 500_000) await new Promise((r) => setTimeout(r, 5));
        child.kill(signal);
        const exit = await ended;
        const written = Array.from({ length: N }, (_, i) => i).filter(fixed).length;
        assert.equal(
          exit.signal,
          signal,
          `ended by ${exit.signal ?? `exit ${exit.code}`} after ${Date.now() - started} ms, ${written} of ${N} written`,
        );
        assert.deepEqual(temps(dir), [], `${written} of ${N} written`);
        for (let i = 0; i < N; i++) {
          const text = readFileSync(join(dir, `p${String(i).padStart(4, '0')}`, 'pytest.ini'), 'utf8');
          assert.ok(text === FIXABLE || text === whole, `p${i}: torn`);
        }
      },
    );
  }

  test('a later fix --write removes the temporary files of dead processes, not those of live ones', () => {
    const dir = writeTree({ 'pytest.ini': FIXABLE, 'sub/pytest.ini': FIXABLE });
    // A PID that has ended: a short-lived child's.
    const dead = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
    const stale = [join(dir, `.pytest.ini.netra-migrate-${dead}.tmp`), join(dir, 'sub', `.pytest.ini.netra-migrate-${dead}.tmp`)];
    const live = join(dir, `.pytest.ini.netra-migrate-${process.pid}.tmp`);
    for (const f of [...stale, live]) writeFileSync(f, '[pytest]\n');
    const r = runCli(['fix', '--write'], dir);
    assert.ok([0, 1].includes(r.code), r.stderr);
    assert.deepEqual(temps(dir), [live]);
    const check = runCli(['check'], dir);
    assert.ok([0, 1].includes(check.code), check.stderr);
  });

  test('a cache temporary file of a dead process is removed when the cache is saved', () => {
    const dir = writeTree({ 'pytest.ini': SEED });
    runCached(['check'], dir);
    const dead = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
    const stale = join(dir, '.netra-migrate-cache', `.cache.json.netra-migrate-${dead}.tmp`);
    writeFileSync(stale, '{}');
    writeFileSync(join(dir, 'pytest.ini'), FIXABLE);
    runCached(['check'], dir);
    assert.deepEqual(temps(dir), []);
  });
});
