/** What governs a file and what a run read: `print-config`, `check --show-files`, `check --stats`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../src/index.js';
import { runCli, writeTree } from './support/env.js';

const PROJECT = {
  'pytest.ini': '[pytest]\ntestpaths = tests\naddopts = -ra -p xdist.plugin\ntimeout = 30\nrequired_plugins = pytest-timeout\n',
  'tox.ini': '[pytest]\ntestpaths = other\n',
  '.netra-migrate.json': JSON.stringify({
    rules: { 'require-fail-fast': 'off', 'require-timeout': ['warn', { seconds: 60 }] },
    ignore: ['build/**'],
  }),
  'tests/test_api.py': 'import pytest\n\n@pytest.fixture(scope="session")\nasync def client():\n    yield 1\n',
  'tests/test_plain.py': 'def test_x():\n    assert True\n',
  'web/vitest.config.ts':
    "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { testTimeout: 2000, include: process.env.CI ? ['a'] : ['b'] } });\n",
  'web/src/app.test.ts': "test('x', () => {});\n",
  'web/src/util.test.ts': "let n = 0;\nbeforeAll(() => {\n  n = 1;\n});\ntest('x', () => {});\n",
  '.github/workflows/ci.yml': 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest tests\n',
  'compose.yaml': 'services:\n  tests:\n    image: python:3.12\n    command: pytest\n',
  Makefile: 'test:\n\tpytest tests\n',
};

test('print-config: the pytest config pytest would use for a test file, values typed as pytest types them', () => {
  const dir = writeTree(PROJECT);
  const r = runCli(['print-config', 'tests/test_api.py'], dir);
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(r.stdout);
  assert.equal(config.path, 'tests/test_api.py');
  assert.equal(config.pytest.configfile, 'pytest.ini');
  assert.equal(config.pytest.rootdir, '.');
  assert.deepEqual(config.pytest.values.testpaths, ['tests']);
  assert.deepEqual(config.pytest.values.addopts, ['-ra', '-p', 'xdist.plugin']);
  assert.equal(config.pytest.values.timeout, '30');
  assert.deepEqual(config.pytest.shadows, ['tox.ini']);
  assert.deepEqual(config.pytest.plugins, { addopts: ['xdist.plugin'], required: ['pytest-timeout'] });
  assert.equal(config.js, null);
  assert.equal(config.toolConfig.file, '.netra-migrate.json');
  assert.equal(config.toolConfig.ignored, false);
  assert.equal(config.rules['require-fail-fast'], 'off');
  assert.deepEqual(config.rules['require-timeout'], ['warning', { ...config.rules['require-timeout'][1], seconds: 60 }]);
  assert.equal(config.rules['require-timeout'][1].seconds, 60);
});

test('print-config: the Vitest config above a test file, with what is computed at run time marked', () => {
  const dir = writeTree(PROJECT);
  const r = runCli(['print-config', 'web/src/app.test.ts', '--rule', 'single-test-root:off'], dir);
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(r.stdout);
  assert.equal(config.js.configfile, 'web/vitest.config.ts');
  assert.equal(config.js.runner, 'vitest');
  assert.equal(config.js.options.testTimeout, 2000);
  assert.deepEqual(config.js.options.include, { computed: "process.env.CI ? ['a'] : ['b']" });
  assert.equal(config.rules['single-test-root'], 'off');
});

test('print-config: the Node environments of a JS config: scripts, .npmrc, CI steps (matrix expanded), with heap and workers (issue 24)', () => {
  const dir = writeTree({
    '.github/workflows/ci.yml':
      'on: push\nenv:\n  NODE_OPTIONS: --max-old-space-size=${{ matrix.heap }}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        heap: [4096, 8192]\n    steps:\n      - run: npm ci\n      - name: Unit\n        run: npx vitest run --maxWorkers=2\n      - run: echo "NODE_OPTIONS=--max-old-space-size=6000" >> $GITHUB_ENV\n      - name: Again\n        run: npm test\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ruff check .\n',
    '.gitlab-ci.yml': 'variables:\n  NODE_OPTIONS: "--max-old-space-size=3072"\ntest:\n  script:\n    - pnpm test\n',
    'web/.npmrc': 'node-options=--max-old-space-size=5120\n',
    'web/package.json': JSON.stringify({
      scripts: {
        test: 'cross-env NODE_OPTIONS=--max-old-space-size=6144 vitest run --no-file-parallelism',
        'test:ci': 'vitest run -w 3',
        other: 'vitest run --config vitest.other.config.ts',
        build: 'vite build',
      },
      devDependencies: { vitest: '^4.0.0' },
    }),
    'web/vitest.config.ts':
      "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { fileParallelism: false } });\n",
    'web/src/app.test.ts': "test('x', () => {});\n",
  });
  const r = runCli(['print-config', 'web/src/app.test.ts'], dir);
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(r.stdout);
  assert.equal(config.js.workers, 1);
  assert.deepEqual(config.js.environments, [
    { kind: 'script', name: 'web/package.json script "test"', nodeOptions: '--max-old-space-size=6144', heapMb: 6144, workers: 1 },
    { kind: 'script', name: 'web/package.json script "test:ci"', nodeOptions: '--max-old-space-size=5120', heapMb: 5120, workers: null },
    { kind: 'npmrc', name: 'web/.npmrc node-options', nodeOptions: '--max-old-space-size=5120', heapMb: 5120, workers: null },
    { kind: 'ci', name: '.github/workflows/ci.yml job test / Unit', nodeOptions: '--max-old-space-size=4096', heapMb: 4096, workers: 2 },
    { kind: 'ci', name: '.github/workflows/ci.yml job test / Unit', nodeOptions: '--max-old-space-size=8192', heapMb: 8192, workers: 2 },
    {
      kind: 'ci',
      name: '.github/workflows/ci.yml job test / Again',
      nodeOptions: '--max-old-space-size=6000',
      heapMb: 6000,
      workers: null,
    },
    { kind: 'ci', name: '.gitlab-ci.yml job test', nodeOptions: '--max-old-space-size=3072', heapMb: 3072, workers: null },
  ]);
});

test("print-config: a Jest config's environments: node flags, --runInBand, -w, another config named by --config left out", () => {
  const dir = writeTree({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'package.json': JSON.stringify({
      scripts: {
        test: 'node --max-old-space-size=8192 node_modules/.bin/jest --runInBand',
        'test:w': 'NODE_OPTIONS="--max_old_space_size=3000 --trace-warnings" jest -w 2',
        e2e: 'jest --config jest.e2e.config.js',
      },
      devDependencies: { jest: '^30.0.0' },
    }),
    'jest.config.js': "module.exports = { maxWorkers: '50%' };\n",
    'src/a.test.js': "test('x', () => {});\n",
  });
  const config = JSON.parse(runCli(['print-config', 'src/a.test.js'], dir).stdout);
  assert.equal(config.js.workers, '50%');
  assert.deepEqual(config.js.environments, [
    { kind: 'script', name: 'package.json script "test"', nodeOptions: '--max-old-space-size=8192', heapMb: 8192, workers: 1 },
    {
      kind: 'script',
      name: 'package.json script "test:w"',
      nodeOptions: '--max_old_space_size=3000 --trace-warnings',
      heapMb: 3000,
      workers: 2,
    },
  ]);
});

test('print-config: a path that does not exist is exit 2 naming it', () => {
  const dir = writeTree(PROJECT);
  const r = runCli(['print-config', 'nope.py'], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nope\.py.*no such file or directory/);
});

test('check --show-files: every file read, with why, instead of the findings', () => {
  const dir = writeTree(PROJECT);
  const r = runCli(['check', '--show-files', '.'], dir);
  assert.equal(r.code, 0, r.stderr);
  const lines = new Map(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t') as [string, string]),
  );
  assert.equal(lines.get('pytest.ini'), 'pytest: config');
  assert.equal(lines.get('tox.ini'), 'pytest: config');
  assert.equal(lines.get('tests/test_api.py'), 'pytest: test module');
  assert.equal(lines.get('tests/test_plain.py'), 'pytest: test source, text only (nothing a rule reports on)');
  assert.equal(lines.get('web/vitest.config.ts'), 'jest/vitest: config');
  // Each kind as its analyzer names it, not guessed from the file name.
  assert.equal(lines.get('web/src/util.test.ts'), 'jest/vitest: test file');
  assert.equal(lines.get('web/src/app.test.ts'), 'jest/vitest: test file, text only (nothing a rule reports on)');
  assert.equal(lines.get('.github/workflows/ci.yml'), 'CI: workflow');
  assert.equal(lines.get('compose.yaml'), 'Compose: file');
  assert.equal(lines.get('Makefile'), 'CI: Makefile (recipes that run pytest)');
  assert.doesNotMatch(r.stdout, /Error|error/);
});

test('check --stats: findings per rule and time per analyzer on stderr; the findings stay on stdout', () => {
  const dir = writeTree(PROJECT);
  const r = runCli(['check', '--stats', '--format', 'json', '.'], dir);
  const findings = JSON.parse(r.stdout) as { rule: string }[];
  const shadowed = findings.filter((f) => f.rule === 'shadowed-config').length;
  assert.ok(shadowed > 0);
  assert.match(r.stderr, /^files read: \d+, analyzed: \d+, findings: \d+, total: [\d.]+ ms$/m);
  assert.match(r.stderr, /^ {2}analyzer pytest: \d+ file\(s\), [\d.]+ ms$/m);
  assert.match(r.stderr, new RegExp(`^  rule shadowed-config: ${shadowed} finding\\(s\\), [\\d.]+ ms$`, 'm'));
});

test('reads: computed when first asked for, once (a run that does not show files spends nothing on it)', async () => {
  const dir = writeTree(PROJECT);
  const result = await check({ cwd: dir, paths: ['.'] });
  const descriptor = Object.getOwnPropertyDescriptor(result, 'reads');
  assert.equal(typeof descriptor?.get, 'function');
  const reads = result.reads!;
  assert.equal(result.reads, reads);
  assert.deepEqual(
    reads.filter((r) => r.file.endsWith('pytest.ini')).map((r) => [r.reason, r.kind]),
    [['pytest', 'config']],
  );
});
