/**
 * Fitting where users run it: the repository's ignore files in the walk, the cache for repeat runs, the
 * GitHub Action, colour and progress on terminals.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { join } from 'node:path';
import { check } from '../src/index.js';
import { Workspace } from '../src/core/workspace.js';
import { CLI, ROOT, runCli, writeTree } from './support/env.js';

const BROKEN_TOML = '[tool.pytest.ini_options\ntestpaths = ["tests"]\n';
const SPLIT_INI = '[pytest]\ntestpaths = tests other\n';

function repo(files: Record<string, string>): string {
  const dir = writeTree(files, 'netra-ignore-');
  mkdirSync(join(dir, '.git', 'info'), { recursive: true });
  return dir;
}

describe('ignore files', () => {
  test('a directory .gitignore names is never entered: its broken config is not read', async () => {
    const dir = repo({ '.gitignore': '# scratch\n/generated/\n', 'generated/pyproject.toml': BROKEN_TOML, 'svc/pytest.ini': SPLIT_INI });
    const ws = new Workspace();
    const listed = ws.walk(dir).map((d) => d.dir);
    assert.ok(!listed.some((d) => d.includes('generated')), listed.join('\n'));
    const result = await check({ cwd: dir, paths: ['.'] });
    assert.deepEqual(result.problems, []);
    assert.deepEqual([...new Set(result.diagnostics.map((d) => d.file))], [join(dir, 'svc', 'pytest.ini')]);
    // --no-ignore reads it, and the broken file is then the exit-2 problem it is.
    const all = runCli(['check', '--no-ignore', '--format', 'json', '.'], dir);
    assert.equal(all.code, 2, all.stderr);
    assert.match(all.stderr, /generated\/pyproject\.toml/);
    const def = runCli(['check', '--format', 'json', '.'], dir);
    // Warnings only (several roots is policy, a warning under the recommended preset), and no problem.
    assert.equal(def.code, 0, def.stderr);
    assert.match(def.stdout, /"rule": "single-test-root"/);
    assert.doesNotMatch(def.stderr + def.stdout, /generated/);
  });

  test('precedence: a deeper !pattern re-includes, .ignore beats .gitignore, .git/info/exclude is read', async () => {
    const dir = repo({
      '.gitignore': 'vendor*/\nscratch/\n',
      'sub/.gitignore': '!vendor-kept/\n',
      '.ignore': '!scratch/\n',
      'vendor/pyproject.toml': BROKEN_TOML,
      'sub/vendor-kept/pytest.ini': SPLIT_INI,
      'scratch/pytest.ini': SPLIT_INI,
      'local/pyproject.toml': BROKEN_TOML,
    });
    writeFileSync(join(dir, '.git', 'info', 'exclude'), 'local/\n');
    const result = await check({ cwd: dir, paths: ['.'] });
    assert.deepEqual(result.problems, []);
    assert.deepEqual([...new Set(result.diagnostics.map((d) => d.file.slice(dir.length + 1)))].sort(), [
      'scratch/pytest.ini',
      'sub/vendor-kept/pytest.ini',
    ]);
  });

  test('outside a git repository .gitignore is not read (as in git and ripgrep), .ignore is', async () => {
    const dir = writeTree(
      { '.gitignore': 'a/\n', '.ignore': 'b/\n', 'a/pytest.ini': SPLIT_INI, 'b/pyproject.toml': BROKEN_TOML },
      'netra-nogit-',
    );
    const result = await check({ cwd: dir, paths: ['.'] });
    assert.deepEqual(result.problems, []);
    assert.deepEqual([...new Set(result.diagnostics.map((d) => d.file.slice(dir.length + 1)))], ['a/pytest.ini']);
  });

  test('ignored test modules are not read as sources; a file named on the command line is read anyway', async () => {
    const dir = repo({
      '.gitignore': 'tests/generated/\n',
      'pytest.ini': '[pytest]\ntestpaths = tests\nasyncio_mode = auto\n',
      'tests/test_ok.py': 'def test_ok():\n    pass\n',
      'tests/generated/test_loop.py': 'async def test_x(event_loop):\n    pass\n',
    });
    const walked = await check({ cwd: dir, paths: ['.'] });
    assert.ok(!walked.files.some((f) => f.includes('generated')), walked.files.join('\n'));
    assert.ok(!walked.diagnostics.some((d) => d.rule === 'no-event-loop-fixture'));
    const named = await check({ cwd: dir, paths: ['tests/generated/test_loop.py'] });
    assert.ok(
      named.diagnostics.some((d) => d.rule === 'no-event-loop-fixture'),
      JSON.stringify(named.diagnostics),
    );
  });
});

/** The CLI with exactly these colour variables (the rest of the environment kept), piped or on a pty. */
function runTerminal(args: string[], cwd: string, env: Record<string, string>, pty: boolean): string {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'NETRA_PROGRESS_DELAY_MS', 'TERM']) delete clean[k];
  // A cached run reads nothing, so it would show no progress: these runs start afresh.
  Object.assign(clean, { TERM: 'xterm', NETRA_MIGRATE_NO_CACHE: '1' }, env);
  const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
  // `script` gives the child a pseudo-terminal for stdout and stderr (both land in script's stdout).
  const r = pty
    ? spawnSync('script', ['-qec', command, '/dev/null'], { cwd, env: clean, encoding: 'utf8' })
    : spawnSync(process.execPath, [CLI, ...args], { cwd, env: clean, encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout + r.stderr;
}

const ptyAvailable =
  spawnSync('script', ['-qec', 'true', '/dev/null']).status === 0 ? false : '`script` (util-linux) not available: no pseudo-terminal';

describe('terminals', { skip: ptyAvailable }, () => {
  const dir = writeTree({
    'pytest.ini': '[pytest]\ntestpaths = tests other\n',
    'tests/test_a.py': 'def test_a():\n    pass\n',
    'tests/test_b.py': 'async def test_b(event_loop):\n    pass\n',
    'other/test_c.py': 'def test_c():\n    pass\n',
  });
  const ESC = '\x1b[';
  const cases: [string, string[], Record<string, string>, boolean, boolean][] = [
    ['piped: no colour', [], {}, false, false],
    ['piped with FORCE_COLOR=1: colour', [], { FORCE_COLOR: '1' }, false, true],
    ['piped with FORCE_COLOR=0: no colour', [], { FORCE_COLOR: '0' }, false, false],
    ['piped with --color: colour', ['--color'], {}, false, true],
    ['terminal: colour', [], {}, true, true],
    ['terminal with NO_COLOR=1: no colour', [], { NO_COLOR: '1' }, true, false],
    ['terminal with an empty NO_COLOR: colour (no-color.org)', [], { NO_COLOR: '' }, true, true],
    ['terminal with TERM=dumb: no colour', [], { TERM: 'dumb' }, true, false],
    ['terminal with --no-color: no colour', ['--no-color'], {}, true, false],
    ['FORCE_COLOR=1 with --no-color: no colour', ['--no-color'], { FORCE_COLOR: '1' }, false, false],
  ];
  for (const [name, flags, env, pty, coloured] of cases) {
    test(name, () => {
      const out = runTerminal(['check', ...flags], dir, env, pty);
      assert.match(out, /single-test-root/);
      assert.equal(out.includes(ESC), coloured, JSON.stringify(out.slice(0, 300)));
    });
  }

  const PROGRESS = /files read 3 of 3/;
  test('progress: on a terminal, once the run is slow (delay 0 here), and erased before the report', () => {
    const out = runTerminal(['check', '--no-color'], dir, { NETRA_PROGRESS_DELAY_MS: '0' }, true);
    assert.match(out, PROGRESS);
    assert.match(out, /files read 3 of 3\r\x1b\[K/);
  });
  test('progress: never when piped, in a machine format, or in a quick run', () => {
    assert.doesNotMatch(runTerminal(['check'], dir, { NETRA_PROGRESS_DELAY_MS: '0' }, false), /files read/);
    assert.doesNotMatch(runTerminal(['check', '--format', 'json'], dir, { NETRA_PROGRESS_DELAY_MS: '0' }, true), /files read/);
    assert.doesNotMatch(runTerminal(['check', '--format', 'github'], dir, { NETRA_PROGRESS_DELAY_MS: '0' }, true), /files read/);
    // A run quicker than the delay (a minute here, so a loaded machine cannot make it flaky) prints none.
    assert.doesNotMatch(runTerminal(['check'], dir, { NETRA_PROGRESS_DELAY_MS: '60000' }, true), /files read/);
  });
});

/**
 * action.yml's steps run as a runner would: inputs (given or default) substituted into each step's `env`,
 * each `run` under `bash --noprofile --norc -eo pipefail` with GITHUB_ACTION_PATH and GITHUB_WORKSPACE set.
 * (No `uses:` step exists to skip; the pinned copy here is this checkout, already built.)
 */
function runAction(workspace: string, inputs: Record<string, string>): { code: number; stdout: string; stderr: string } {
  const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
    runs: { using: string; steps: { run?: string; shell?: string; env?: Record<string, string> }[] };
  };
  assert.equal(action.runs.using, 'composite');
  const value = (expr: string) =>
    expr.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => {
      assert.ok(name in action.inputs, `step uses undeclared input ${name}`);
      return inputs[name] ?? action.inputs[name]!.default ?? '';
    });
  let stdout = '';
  let stderr = '';
  for (const step of action.runs.steps) {
    assert.equal(step.shell, 'bash');
    const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_ACTION_PATH: ROOT, GITHUB_WORKSPACE: workspace, GITHUB_ACTIONS: 'true' };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = value(v);
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], { cwd: workspace, env, encoding: 'utf8' });
    stdout += r.stdout;
    stderr += r.stderr;
    if (r.status !== 0) return { code: r.status ?? -1, stdout, stderr };
  }
  return { code: 0, stdout, stderr };
}

describe('GitHub Action', () => {
  test('defaults: check . with --format github under the recommended preset: policy findings are ::warning annotations, exit 0', () => {
    const dir = writeTree({ 'svc/pytest.ini': SPLIT_INI });
    const r = runAction(dir, {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^::warning file=svc\/pytest\.ini,line=2,col=1,endLine=2,endColumn=\d+,title=netra-migrate \(single-test-root\)::/m,
    );
    assert.doesNotMatch(r.stdout, /^::error/m);
  });

  test("preset: 'strict' makes several roots and no timeout ::error annotations, and the job fails (exit 1)", () => {
    const dir = writeTree({ 'svc/pytest.ini': SPLIT_INI });
    const r = runAction(dir, { preset: 'strict' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /^::error file=svc\/pytest\.ini,line=2,col=1,endLine=2,endColumn=\d+,title=netra-migrate \(single-test-root\)::/m,
    );
    assert.match(r.stdout, /^::error file=svc\/pytest\.ini,line=1,col=1,.*\(require-timeout\)/m);
    // An unknown preset is a usage error: the job fails with exit 2 and nothing is annotated.
    const bad = runAction(dir, { preset: 'strictest' });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /preset/);
    assert.equal(bad.stdout, '');
  });

  test('args pass paths and options through (split on whitespace, not globbed)', () => {
    const dir = writeTree({ 'a/pytest.ini': SPLIT_INI, 'b/pytest.ini': SPLIT_INI });
    const r = runAction(dir, { args: 'a --rule single-test-root:off --rule require-timeout:error' });
    assert.doesNotMatch(r.stdout, /b\/pytest\.ini/);
    assert.doesNotMatch(r.stdout, /single-test-root/);
    assert.match(r.stdout, /^::error file=a\/pytest\.ini,.*\(require-timeout\)/m);
  });

  test("fix: 'true' writes the safe fixes and annotates what is left", () => {
    const dir = writeTree({ 'pytest.ini': '[pytest]\ntestpaths = tests\n' });
    const r = runAction(dir, { fix: 'true' });
    assert.match(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /--strict-config/);
    assert.match(r.stderr, /^fixed \d+ problems? in \d+ files?/m);
    assert.doesNotMatch(r.stdout, /require-strict-config/);
    assert.match(r.stdout, /^::warning file=pytest\.ini,.*\(require-fail-fast\)/m);
  });
});

describe('cache for repeat runs', () => {
  const MODULES = 40;
  function suite(): string {
    const files: Record<string, string> = {
      'pytest.ini': '[pytest]\ntestpaths = tests\nasyncio_mode = auto\naddopts = --strict-markers\nmarkers =\n    slow: long\n',
      // Declared, so the open-world rules know pytest-asyncio is in use and no plugin owns the marks below.
      'requirements.txt': 'pytest\npytest-asyncio\n',
      'tests/conftest.py': 'import pytest\n\n\n@pytest.fixture\ndef settings():\n    return {}\n',
      'tests/test_loop.py': 'async def test_loop(event_loop):\n    pass\n',
    };
    for (let i = 0; i < MODULES; i++) {
      files[`tests/test_m${i}.py`] =
        `import pytest\n\n\n@pytest.mark.${i % 2 === 0 ? 'slow' : 'parametrize("x", [1])'}\ndef test_${i}(x=1):\n    assert x\n`;
    }
    return writeTree(files, 'netra-cache-');
  }
  const where = (r: { diagnostics: { file: string; rule: string; line: number }[] }, dir: string) =>
    r.diagnostics.map((d) => `${d.file.slice(dir.length + 1)}:${d.line} ${d.rule}`).sort();

  test('a second run on an unchanged tree replays the same findings and reads no file', async () => {
    const dir = suite();
    const cache = join(dir, '.netra-migrate-cache');
    const first = await check({ cwd: dir, paths: ['.'], cache });
    assert.deepEqual(first.cache, { hit: false, filesRead: first.cache!.filesRead });
    assert.ok(first.cache.filesRead >= MODULES + 3, `${first.cache.filesRead}`);
    const second = await check({ cwd: dir, paths: ['.'], cache });
    assert.deepEqual(second.cache, { hit: true, filesRead: 0 });
    // A replay reports each fix by its title and applicability; its edits are `fix`'s to compute (see src/index.ts).
    const withoutEdits = (ds: typeof first.diagnostics) => ds.map((d) => (d.fix ? { ...d, fix: { ...d.fix, edits: [] } } : d));
    assert.deepEqual(second.diagnostics, withoutEdits(first.diagnostics));
    assert.deepEqual(second.problems, first.problems);
    assert.ok(where(first, dir).includes('tests/test_loop.py:1 no-event-loop-fixture'));
    // The cache keeps git out of it.
    assert.equal(readFileSync(join(cache, '.gitignore'), 'utf8').includes('*'), true);
  });

  test('one module changed: only it (and the modules a rule reports on) is read again', async () => {
    const dir = suite();
    const cache = join(dir, '.netra-migrate-cache');
    const first = await check({ cwd: dir, paths: ['.'], cache });
    writeFileSync(join(dir, 'tests', 'test_m3.py'), 'import pytest\n\n\n@pytest.mark.docker_safe\ndef test_3():\n    pass\n');
    const after = await check({ cwd: dir, paths: ['.'], cache });
    assert.equal(after.cache!.hit, false);
    const read = new Set(after.reads!.map((r) => r.file.slice(dir.length + 1)));
    assert.ok(read.has('tests/test_m3.py'));
    assert.ok(read.has('tests/test_loop.py'), 'a module a rule reports on is parsed again');
    assert.ok(!read.has('tests/test_m4.py') && !read.has('tests/test_m5.py'), [...read].join(' '));
    // The files read to decide (dependency declarations beside the config) are read again; the modules are not.
    assert.ok(
      after.cache!.filesRead < first.cache!.filesRead - MODULES + 5,
      `${after.cache!.filesRead} of ${first.cache!.filesRead} files read`,
    );
    const fresh = await check({ cwd: dir, paths: ['.'] });
    assert.deepEqual(where(after, dir), where(fresh, dir));
    assert.ok(where(after, dir).includes('tests/test_m3.py:4 registered-markers'));
  });

  test('a config change re-reports the modules it governs; a rule setting is a key of its own', async () => {
    const dir = suite();
    const cache = join(dir, '.netra-migrate-cache');
    const before = await check({ cwd: dir, paths: ['.'], cache });
    assert.ok(!where(before, dir).some((w) => w.endsWith('registered-markers')));
    // `slow` is no longer registered: every module using it must now be reported.
    writeFileSync(join(dir, 'pytest.ini'), '[pytest]\ntestpaths = tests\nasyncio_mode = auto\naddopts = --strict-markers\n');
    const after = await check({ cwd: dir, paths: ['.'], cache });
    // A registry plugin registers `slow`: one finding for the config, at the first use, counting every use.
    const slow = after.diagnostics.filter((d) => d.rule === 'registered-markers');
    assert.equal(slow.length, 1, slow.map((d) => d.message).join('\n'));
    assert.match(slow[0]!.message, new RegExp(`\\(used ${MODULES / 2} times in ${MODULES / 2} files\\)`));
    const fresh = await check({ cwd: dir, paths: ['.'] });
    assert.deepEqual(where(after, dir), where(fresh, dir));
    const off = await check({ cwd: dir, paths: ['.'], cache, rules: { 'registered-markers': 'off' } });
    assert.equal(off.cache!.hit, false);
    assert.ok(!where(off, dir).some((w) => w.endsWith('registered-markers')));
    const again = await check({ cwd: dir, paths: ['.'], cache });
    assert.equal(again.cache!.hit, true);
    assert.deepEqual(where(again, dir), where(after, dir));
  });

  test('CLI: cached by default in .netra-migrate-cache/, same output; --no-cache creates none', () => {
    const dir = suite();
    const first = runCli(['check', '--format', 'json'], dir, { NETRA_MIGRATE_NO_CACHE: '' });
    assert.ok(existsSync(join(dir, '.netra-migrate-cache', 'cache.json')));
    const second = runCli(['check', '--format', 'json'], dir, { NETRA_MIGRATE_NO_CACHE: '' });
    assert.equal(second.code, first.code);
    assert.equal(second.stdout, first.stdout);
    const other = suite();
    runCli(['check', '--no-cache'], other, { NETRA_MIGRATE_NO_CACHE: '' });
    assert.equal(existsSync(join(other, '.netra-migrate-cache')), false);
  });
});

describe('start-up of a JS config run', () => {
  test("TypeScript's compiled code is cached in node_modules/.cache/netra-migrate and gives the same findings", () => {
    // A conditional is beyond the light reader (js-light.ts): this config is read through TypeScript.
    const dir = writeTree({
      'jest.config.js':
        "module.exports = {\n  testEnvironment: process.env.DOM ? 'jsdom' : 'node',\n  roots: ['<rootDir>/src', '<rootDir>/lib'],\n};\n",
    });
    const cacheDir = join(ROOT, 'node_modules', '.cache', 'netra-migrate');
    rmSync(cacheDir, { recursive: true, force: true });
    const cold = runCli(['check', '--format', 'json', 'jest.config.js'], dir);
    assert.ok(
      readdirSync(cacheDir).some((f) => f.startsWith('@ts-morph+common+dist+typescript.js.') && f.endsWith('.v8cache')),
      readdirSync(cacheDir).join(' '),
    );
    const warm = runCli(['check', '--format', 'json', 'jest.config.js'], dir);
    assert.equal(warm.code, 0, warm.stderr);
    assert.equal(cold.code, 0, cold.stderr);
    assert.equal(warm.stdout, cold.stdout);
    assert.match(warm.stdout, /"rule": "single-test-root"|"rule": "[a-z-]+"/);
  });
});
