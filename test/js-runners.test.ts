/**
 * Proof against the real runners: Jest 30 and Vitest 4 (this package's dev dependencies) run small sample
 * projects before and after `fix --write`; after it, the timeouts and the memory monitor are in force. The
 * projects live under .cache/ inside the repository so `jest` and `vitest` resolve from its node_modules.
 * Also: a run on a Python-only tree never loads the TypeScript API.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, runCli, writeTree } from './support/env.js';

const SCRATCH = join(ROOT, '.cache', 'js-runs');
mkdirSync(SCRATCH, { recursive: true });
const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(SCRATCH, 'p-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function run(bin: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, bin, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1', ...env },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}
const jest = (cwd: string, env?: NodeJS.ProcessEnv) => run([join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci'], cwd, env);
const vitest = (cwd: string, env?: NodeJS.ProcessEnv) => run([join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], cwd, env);

// A test that outlives a 1 s timeout, and one that holds ~400 MB at its peak.
const SLOW = 'await new Promise((resolve) => setTimeout(resolve, 1500));';
const HEAVY = 'const held = []; for (let i = 0; i < 40; i++) held.push(Buffer.alloc(10 * 1024 * 1024, 1)); expect(held.length).toBe(40);';
const RULES = '{"rules": {"require-timeout": ["error", {"testTimeoutMs": 1000, "hookTimeoutMs": 1000}]}}\n';

describe('Jest 30, before and after fix --write', () => {
  test('the fixed config enforces the timeout, and the monitor fails the test over the limit', () => {
    const dir = project({
      'package.json': '{\n  "name": "jest-sample",\n  "private": true,\n  "devDependencies": { "jest": "^30.0.0" }\n}\n',
      '.netra-migrate.json': RULES,
      'jest.config.js':
        "/** @type {import('jest').Config} */\nmodule.exports = {\n  testEnvironment: 'node',\n  roots: ['<rootDir>/src'],\n};\n",
      'src/slow.test.js': `test('waits', async () => {\n  ${SLOW}\n});\n`,
      'src/heavy.test.js': `test('allocates', () => {\n  ${HEAVY}\n});\n\ntest('small', () => {\n  expect(1).toBe(1);\n});\n`,
    });
    const before = jest(dir, { NODE_TEST_MEMORY_LIMIT_MB: '300' });
    assert.equal(before.code, 0, before.out);
    assert.doesNotMatch(before.out, /\[MEMORY\]/);

    const checked = runCli(['check', '--format', 'compact'], dir);
    // The memory finding is a warning by default; require-timeout is set to `error` in this project's tool config.
    assert.equal(checked.code, 1);
    assert.match(
      checked.stdout,
      /jest\.config\.js: line 2, col 18, Warning - Jest config has no `workerIdleMemoryLimit` and no memory monitor in `setupFilesAfterEnv`.*\(require-memory-limit\)/,
    );
    assert.match(checked.stdout, /jest\.config\.js: line 2, col 18, Error - Jest config does not state `testTimeout`.*\(require-timeout\)/);

    const fixed = runCli(['fix', '--write'], dir);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.equal(
      readFileSync(join(dir, 'jest.config.js'), 'utf8'),
      "/** @type {import('jest').Config} */\nmodule.exports = {\n  testEnvironment: 'node',\n  roots: ['<rootDir>/src'],\n  workerIdleMemoryLimit: '1024MB',\n  setupFilesAfterEnv: ['<rootDir>/netra-memory-monitor.cjs'],\n  testTimeout: 1000,\n};\n",
    );
    assert.equal(runCli(['check'], dir).code, 0);

    const afterFix = jest(dir, { NODE_TEST_MEMORY_LIMIT_MB: '300' });
    assert.equal(afterFix.code, 1, afterFix.out);
    assert.match(afterFix.out, /Exceeded timeout of 1000 ms for a test/);
    assert.match(afterFix.out, /MemoryLimitError: \[MEMORY\] allocates: peak RSS \d+ MB is over the limit of 300 MB/);
    assert.match(afterFix.out, /\[MEMORY\] .*heavy\.test\.js: 2 tests, peak RSS \d+ MB, limit 300 MB \(fail\)/);
    assert.match(afterFix.out, /Tests:\s+2 failed, 1 passed, 3 total/);

    // Under the limit the same suite's memory tests pass and the report still names the heaviest.
    const roomy = jest(dir, { NODE_TEST_MEMORY_LIMIT_MB: '4000', NODE_TEST_MEMORY_ACTION: 'warn' });
    assert.match(roomy.out, /\[MEMORY\]\s+allocates: peak \d+ MB, \+\d+ MB during the test/);
    assert.match(roomy.out, /Tests:\s+1 failed, 2 passed, 3 total/);
  });
});

/**
 * A stand-in for `next/jest` with its documented behaviour (packages/next/src/build/jest/jest.ts):
 * `nextJest(opts)(config)` is an async function Jest calls, giving the user's config (an object, or a function
 * returning one) plus next's own moduleNameMapper, testPathIgnorePatterns, transform, transformIgnorePatterns
 * and watchPathIgnorePatterns entries (SWC left out: these tests are plain CommonJS).
 */
const NEXT_JEST_STAND_IN = `module.exports = function nextJest(options = {}) {
  return (customJestConfig) => async () => {
    const config = (typeof customJestConfig === 'function' ? await customJestConfig() : customJestConfig) ?? {};
    return {
      ...config,
      moduleNameMapper: { '^.+\\\\.(css|sass|scss)$': require.resolve('./style-mock.js'), ...(config.moduleNameMapper || {}) },
      testPathIgnorePatterns: ['/node_modules/', '/.next/', ...(config.testPathIgnorePatterns || [])],
      transform: { ...(config.transform || {}) },
      transformIgnorePatterns: ['/node_modules/', ...(config.transformIgnorePatterns || [])],
      watchPathIgnorePatterns: ['/.next/', ...(config.watchPathIgnorePatterns || [])],
    };
  };
};
`;
const NEXT_PACKAGE = {
  'node_modules/next/package.json': '{ "name": "next", "version": "15.0.0" }\n',
  'node_modules/next/jest.js': NEXT_JEST_STAND_IN,
  'node_modules/next/style-mock.js': 'module.exports = {};\n',
};

describe('Jest 30 with next/jest (a stand-in with its documented behaviour), before and after fix --write', () => {
  test('createJestConfig(customJestConfig): the fix goes into the user object and Jest applies it', () => {
    const dir = project({
      ...NEXT_PACKAGE,
      'package.json': '{\n  "name": "next-app",\n  "private": true,\n  "devDependencies": { "jest": "^30.0.0", "next": "^15.0.0" }\n}\n',
      '.netra-migrate.json': RULES,
      'jest.config.js':
        "const nextJest = require('next/jest')\n\nconst createJestConfig = nextJest({\n  dir: './',\n})\n\n/** @type {import('jest').Config} */\nconst customJestConfig = {\n  testEnvironment: 'node',\n}\n\nmodule.exports = createJestConfig(customJestConfig)\n",
      'src/slow.test.js': `test('waits', async () => {\n  ${SLOW}\n});\n`,
      'src/quick.test.js': "test('quick', () => {\n  expect(1).toBe(1);\n});\n",
    });
    assert.equal(jest(dir).code, 0);
    const checked = runCli(['check', '--format', 'compact'], dir);
    assert.match(checked.stdout, /jest\.config\.js: line 8, col 26, Error - Jest config does not state `testTimeout`.*\(require-timeout\)/);
    assert.doesNotMatch(checked.stdout, /computed at run time/);
    assert.equal(runCli(['fix', '--write'], dir).code, 0);
    assert.equal(
      readFileSync(join(dir, 'jest.config.js'), 'utf8'),
      "const nextJest = require('next/jest')\n\nconst createJestConfig = nextJest({\n  dir: './',\n})\n\n/** @type {import('jest').Config} */\nconst customJestConfig = {\n  testEnvironment: 'node',\n  workerIdleMemoryLimit: '1024MB',\n  setupFilesAfterEnv: ['<rootDir>/netra-memory-monitor.cjs'],\n  testTimeout: 1000,\n}\n\nmodule.exports = createJestConfig(customJestConfig)\n",
    );
    const afterFix = jest(dir, { NODE_TEST_MEMORY_LIMIT_MB: '4000' });
    assert.equal(afterFix.code, 1, afterFix.out);
    assert.match(afterFix.out, /Exceeded timeout of 1000 ms for a test/);
    assert.match(afterFix.out, /\[MEMORY\] .*quick\.test\.js: 1 tests, peak RSS \d+ MB/);
    assert.match(afterFix.out, /Tests:\s+1 failed, 1 passed, 2 total/);
  });

  test('an async function awaiting createJestConfig(config)() with createProject(...) projects: every project still runs, the timeout applies', () => {
    const names = ['auth', 'billing', 'search'];
    const dir = project({
      ...NEXT_PACKAGE,
      'package.json':
        '{\n  "name": "next-frontend",\n  "private": true,\n  "devDependencies": { "jest": "^30.0.0", "next": "^15.0.0" }\n}\n',
      '.netra-migrate.json': RULES,
      'jest.config.cjs': [
        "const nextJest = require('next/jest.js');",
        '',
        "const createJestConfig = nextJest({ dir: './' });",
        '',
        'function createProject(name) {',
        "  return { displayName: name, testEnvironment: 'node', testMatch: [`<rootDir>/src/${name}/**/*.test.js`] };",
        '}',
        '',
        'const config = {',
        `  projects: [${names.map((n) => `createProject('${n}')`).join(', ')}],`,
        '};',
        '',
        'module.exports = async () => {',
        '  const nextConfig = await createJestConfig(config)();',
        '  return {',
        '    ...nextConfig,',
        '    projects: nextConfig.projects.map((project) => ({ ...project, rootDir: __dirname })),',
        '  };',
        '};',
        '',
      ].join('\n'),
      ...Object.fromEntries(
        names.map((n) => [
          `src/${n}/a.test.js`,
          `test('${n}', async () => {\n  ${n === 'search' ? SLOW : ''}\n  expect(1).toBe(1);\n});\n`,
        ]),
      ),
    });
    const before = jest(dir);
    assert.equal(before.code, 0, before.out);
    assert.match(before.out, /Tests:\s+3 passed, 3 total/);
    const checked = runCli(['check', '--format', 'compact'], dir);
    assert.match(
      checked.stdout,
      /Warning - Jest `projects` runs 3 projects in one process tree \(`createProject\('auth'\)`, `createProject\('billing'\)`, `createProject\('search'\)`\).*\(single-test-root\)/,
    );
    assert.match(checked.stdout, /line 15, col 10, Error - Jest config does not state `testTimeout`/);
    assert.equal(runCli(['fix', '--write'], dir).code, 0);
    assert.match(
      readFileSync(join(dir, 'jest.config.cjs'), 'utf8'),
      /rootDir: __dirname \}\)\),\n {4}workerIdleMemoryLimit: '1024MB',\n {4}testTimeout: 1000,\n {2}\};/,
    );
    const afterFix = jest(dir);
    assert.equal(afterFix.code, 1, afterFix.out);
    assert.match(afterFix.out, /Exceeded timeout of 1000 ms for a test/);
    assert.match(afterFix.out, /Tests:\s+1 failed, 2 passed, 3 total/);
  });
});

describe('Vitest 4, before and after fix --write', () => {
  test('poolOptions moved, timeouts and heap ceiling set, and the monitor fails the test over the limit', () => {
    const dir = project({
      'package.json':
        '{\n  "name": "vitest-sample",\n  "private": true,\n  "type": "module",\n  "devDependencies": { "vitest": "^4.1.0" }\n}\n',
      '.netra-migrate.json': RULES,
      'vitest.config.ts':
        "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    include: ['src/**/*.test.ts'],\n    poolOptions: {\n      forks: { execArgv: ['--max-old-space-size=1024'] },\n    },\n  },\n});\n",
      'src/slow.test.ts': `import { expect, test } from 'vitest';\n\ntest('waits', async () => {\n  ${SLOW}\n  expect(process.execArgv).toContain('--max-old-space-size=1024');\n});\n`,
      'src/heavy.test.ts': `import { expect, test } from 'vitest';\n\ntest('allocates', () => {\n  ${HEAVY.replace('const held = []', 'const held: Buffer[] = []')}\n});\n`,
    });
    const before = vitest(dir, { NODE_TEST_MEMORY_LIMIT_MB: '300' });
    // Vitest 4 ignores poolOptions: the heap flag the config meant to pass never reaches the worker.
    assert.equal(before.code, 1, before.out);
    assert.match(before.out, /expected \[.*\] to include '--max-old-space-size=1024'/s);
    assert.doesNotMatch(before.out, /\[MEMORY\]/);

    const fixed = runCli(['fix', '--write'], dir);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.equal(
      readFileSync(join(dir, 'vitest.config.ts'), 'utf8'),
      "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    include: ['src/**/*.test.ts'],\n    execArgv: ['--max-old-space-size=1024'],\n    testTimeout: 1000,\n    hookTimeout: 1000,\n    setupFiles: ['./netra-memory-monitor.mjs'],\n  },\n});\n",
    );
    assert.equal(runCli(['check'], dir).code, 0);

    const afterFix = vitest(dir, { NODE_TEST_MEMORY_LIMIT_MB: '300' });
    assert.equal(afterFix.code, 1, afterFix.out);
    assert.match(afterFix.out, /Test timed out in 1000ms/);
    assert.doesNotMatch(afterFix.out, /to include '--max-old-space-size=1024'/);
    assert.match(afterFix.out, /MemoryLimitError: \[MEMORY\] allocates: peak RSS \d+ MB is over the limit of 300 MB/);
    assert.match(afterFix.out, /\[MEMORY\] .*heavy\.test\.ts: 1 tests, peak RSS \d+ MB, limit 300 MB \(fail\)/);
  });
});

describe('Vitest 4 pools: the fix writes only the limit each pool accepts, and the tests still run', () => {
  // forks: the heap flag; vmForks/vmThreads: vmMemoryLimit; threads: no limit (worker threads refuse the flag).
  const expected: Record<string, RegExp> = {
    forks: /execArgv: \['--max-old-space-size=4096'\]/,
    threads: /^(?![\s\S]*(?:execArgv|vmMemoryLimit))/,
    vmForks: /vmMemoryLimit: '4096MB'/,
    vmThreads: /vmMemoryLimit: '4096MB'/,
  };
  for (const pool of Object.keys(expected)) {
    test(`pool: '${pool}'`, () => {
      const dir = project({
        'package.json':
          '{\n  "name": "vitest-pool",\n  "private": true,\n  "type": "module",\n  "devDependencies": { "vitest": "^4.1.0" }\n}\n',
        'vitest.config.ts': `import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    pool: '${pool}',\n    include: ['src/**/*.test.ts'],\n  },\n});\n`,
        'src/a.test.ts':
          "import { expect, test } from 'vitest';\n\ntest('one', () => {\n  expect(1).toBe(1);\n});\n\ntest('two', () => {\n  expect(2).toBe(2);\n});\n",
      });
      const fixed = runCli(['fix', '--write'], dir);
      assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
      const config = readFileSync(join(dir, 'vitest.config.ts'), 'utf8');
      assert.match(config, expected[pool]!);
      assert.match(config, /setupFiles: \['\.\/netra-memory-monitor\.mjs'\]/);
      const ran = vitest(dir, { NODE_TEST_MEMORY_LIMIT_MB: '4000' });
      assert.equal(ran.code, 0, ran.out);
      assert.match(ran.out, /Tests\s+2 passed \(2\)/);
      assert.doesNotMatch(ran.out, /Unhandled Error/);
    });
  }

  test("pool: 'threads' with a heap flag in execArgv runs no test; the fix removes the flag and the tests run", () => {
    const dir = project({
      'package.json':
        '{\n  "name": "vitest-threads",\n  "private": true,\n  "type": "module",\n  "devDependencies": { "vitest": "^4.1.0" }\n}\n',
      'vitest.config.ts':
        "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    pool: 'threads',\n    execArgv: ['--max-old-space-size=2048'],\n  },\n});\n",
      'src/a.test.ts': "import { expect, test } from 'vitest';\n\ntest('one', () => {\n  expect(1).toBe(1);\n});\n",
    });
    const before = vitest(dir);
    assert.doesNotMatch(before.out, /Tests\s+1 passed/);
    assert.match(before.out, /worker/i);
    const checked = runCli(['check', '--format', 'compact'], dir);
    assert.equal(checked.code, 1);
    assert.match(
      checked.stdout,
      /vitest\.config\.ts: line 6, col 16, Error - the `threads` pool runs tests in worker threads, which refuse `--max-old-space-size`.*\(require-memory-limit\)/,
    );
    assert.equal(runCli(['fix', '--write'], dir).code, 0);
    assert.match(readFileSync(join(dir, 'vitest.config.ts'), 'utf8'), /execArgv: \[\],/);
    const afterFix = vitest(dir, { NODE_TEST_MEMORY_LIMIT_MB: '4000' });
    assert.equal(afterFix.code, 0, afterFix.out);
    assert.match(afterFix.out, /Tests\s+1 passed \(1\)/);
    assert.equal(runCli(['check'], dir).code, 0);
  });
});

describe('a monorepo whose root declares Vitest: one monitor, referenced from each package config', () => {
  test('fix writes the monitor once at the root; Vitest run in a package loads it through the relative path', () => {
    const pkgConfig = (name: string, setup: string) =>
      `import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    name: '${name}',\n    setupFiles: ${setup},\n    execArgv: ['--max-old-space-size=2048'],\n    testTimeout: 5000,\n    hookTimeout: 10000,\n  },\n});\n`;
    const dir = project({
      'package.json':
        '{\n  "name": "mono",\n  "private": true,\n  "type": "module",\n  "workspaces": ["packages/*"],\n  "devDependencies": { "vitest": "^4.1.0" }\n}\n',
      'packages/a/vitest.config.ts': pkgConfig('a', "'./vitest.setup.ts'"),
      'packages/a/vitest.setup.ts': 'globalThis.setupRan = true;\n',
      'packages/a/src/a.test.ts':
        "import { expect, test } from 'vitest';\n\ntest('a', () => {\n  expect((globalThis as { setupRan?: boolean }).setupRan).toBe(true);\n});\n",
      'packages/b/vitest.config.ts': pkgConfig('b', '[]'),
      'packages/b/src/b.test.ts': "import { expect, test } from 'vitest';\n\ntest('b', () => {\n  expect(1).toBe(1);\n});\n",
    });
    assert.equal(runCli(['fix', '--write'], dir).code, 0);
    assert.match(
      readFileSync(join(dir, 'packages/a/vitest.config.ts'), 'utf8'),
      /setupFiles: \['\.\/vitest\.setup\.ts', '\.\.\/\.\.\/netra-memory-monitor\.mjs'\],/,
    );
    assert.match(
      readFileSync(join(dir, 'packages/b/vitest.config.ts'), 'utf8'),
      /setupFiles: \[\s*'\.\.\/\.\.\/netra-memory-monitor\.mjs',?\s*\],/,
    );
    assert.ok(readFileSync(join(dir, 'netra-memory-monitor.cjs'), 'utf8').length > 0);
    assert.throws(() => readFileSync(join(dir, 'packages/a/netra-memory-monitor.cjs')));
    assert.equal(runCli(['check'], dir).code, 0);
    for (const name of ['a', 'b']) {
      const ran = vitest(join(dir, 'packages', name), { NODE_TEST_MEMORY_LIMIT_MB: '4000' });
      assert.equal(ran.code, 0, ran.out);
      assert.match(ran.out, /Tests\s+1 passed \(1\)/);
      assert.match(ran.out, new RegExp(`\\[MEMORY\\] .*${name}\\.test\\.ts: 1 tests, peak RSS \\d+ MB`));
    }
  });
});

describe('the TypeScript API stays unloaded where no JS/TS file is read', () => {
  const loaded = (dir: string) => {
    const script = `import { check } from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))};\nimport { createRequire } from 'node:module';\nconst r = await check({ cwd: process.cwd(), paths: ['.'] });\nconst cache = createRequire(import.meta.url).cache;\nconsole.log(JSON.stringify({ findings: r.diagnostics.length, tsMorph: Object.keys(cache).some((k) => k.includes('/ts-morph/') || k.includes('/@ts-morph/')) }));\n`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { findings: number; tsMorph: boolean };
  };

  test('a Python-only tree (with a package.json that depends on Jest but has no Jest config) never loads ts-morph', () => {
    const dir = writeTree({
      'pytest.ini': '[pytest]\ntestpaths = tests\n',
      'tests/test_a.py': 'def test_a():\n    pass\n',
      'package.json': '{"name": "x", "devDependencies": {"jest": "^30.0.0"}}\n',
    });
    const r = loaded(dir);
    assert.ok(r.findings > 0);
    assert.equal(r.tsMorph, false);
  });

  test('a plain Jest config is read without it (js-light.ts); one outside that subset loads it', () => {
    const plain = loaded(writeTree({ 'jest.config.js': 'module.exports = {};\n' }));
    assert.ok(plain.findings > 0);
    assert.equal(plain.tsMorph, false);
    const computed = loaded(writeTree({ 'jest.config.js': 'module.exports = { testTimeout: 1000 * 10 };\n' }));
    assert.ok(computed.findings > 0);
    assert.equal(computed.tsMorph, true);
  });
});

// Issue 19: what the fixes must respect, proven by the real runners before and after `fix --write --unsafe`.
const FAST_TIMEOUTS = '{"rules": {"require-timeout": ["error", {"testTimeoutMs": 1000, "hookTimeoutMs": 1000}]}}\n';
const JEST_PKG = '{\n  "name": "jest-sample",\n  "private": true,\n  "devDependencies": { "jest": "^30.0.0" }\n}\n';

describe('Jest 30: roots, presets and projects, before and after fix --write --unsafe', () => {
  test("a roots fix keeps the root that holds the tests, and a preset's testTimeout is not lowered", () => {
    const dir = project({
      'package.json': JEST_PKG,
      '.netra-migrate.json': FAST_TIMEOUTS,
      'jest-preset.js': "module.exports = {\n  testEnvironment: 'node',\n  testTimeout: 3000,\n};\n",
      'jest.config.js':
        "module.exports = {\n  preset: './jest-preset.js',\n  roots: ['<rootDir>/src', '<rootDir>/tests'],\n  testMatch: ['**/*.check.js'],\n};\n",
      'src/add.js': 'exports.add = (a, b) => a + b;\n',
      'src/add.test.js': "test('not matched by testMatch', () => { throw new Error('never runs'); });\n",
      'tests/add.check.js': `const { add } = require('../src/add');\n\ntest('adds after a wait', async () => {\n  ${SLOW}\n  expect(add(1, 2)).toBe(3);\n});\n`,
    });
    const before = jest(dir);
    assert.equal(before.code, 0, before.out);
    assert.match(before.out, /Tests:\s+1 passed, 1 total/);

    const checked = runCli(['check', '--format', 'compact'], dir);
    assert.match(
      checked.stdout,
      /Jest `roots` lists 2 roots \(`<rootDir>\/src` \(0 test files\), `<rootDir>\/tests` \(1 test file\)\).*`<rootDir>\/src` \(0 test files\) would no longer be searched/,
    );
    assert.doesNotMatch(checked.stdout, /require-timeout/);

    const fixed = runCli(['fix', '--write', '--unsafe'], dir);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    const config = readFileSync(join(dir, 'jest.config.js'), 'utf8');
    assert.match(config, /roots: \['<rootDir>\/tests'\]/);
    assert.doesNotMatch(config, /testTimeout/);

    const afterFix = jest(dir);
    assert.equal(afterFix.code, 0, afterFix.out);
    assert.match(afterFix.out, /Tests:\s+1 passed, 1 total/);
  });

  test('with projects, the timeout and memory limit go to the root and the monitor to each project, where Jest reads them', () => {
    const dir = project({
      'package.json': JEST_PKG,
      '.netra-migrate.json': FAST_TIMEOUTS,
      'jest.config.js':
        "module.exports = {\n  projects: [\n    { displayName: 'a', rootDir: '<rootDir>/a', testEnvironment: 'node' },\n    '<rootDir>/b',\n  ],\n};\n",
      'a/slow.test.js': `test('waits', async () => {\n  ${SLOW}\n});\n`,
      'b/jest.config.js': "module.exports = {\n  displayName: 'b',\n  testEnvironment: 'node',\n};\n",
      'b/quick.test.js': "test('quick', () => {\n  expect(1).toBe(1);\n});\n",
    });
    const before = jest(dir);
    assert.equal(before.code, 0, before.out);

    const checked = runCli(['check', '--format', 'compact'], dir);
    assert.match(checked.stdout, /jest\.config\.js: line 1, .*Jest config has no `workerIdleMemoryLimit`: /);
    assert.match(checked.stdout, /Jest project `a` has no memory monitor in `setupFilesAfterEnv`/);
    // `\/b\/`: the project's own folder, not a temporary directory whose name ends in b.
    assert.match(checked.stdout, /\/b\/jest\.config\.js: .*Jest config has no memory monitor in `setupFilesAfterEnv`/);
    assert.doesNotMatch(checked.stdout, /\/b\/jest\.config\.js: .*(workerIdleMemoryLimit|testTimeout)/);

    const fixed = runCli(['fix', '--write', '--unsafe'], dir);
    // What stays is the `projects` warning (single-test-root has no fix for it).
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.equal(
      readFileSync(join(dir, 'jest.config.js'), 'utf8'),
      "module.exports = {\n  projects: [\n    { displayName: 'a', rootDir: '<rootDir>/a', testEnvironment: 'node', setupFilesAfterEnv: ['<rootDir>/../netra-memory-monitor.cjs'] },\n    '<rootDir>/b',\n  ],\n  workerIdleMemoryLimit: '1024MB',\n  testTimeout: 1000,\n};\n",
    );
    // One monitor per repository: project b loads the one beside the root config.
    assert.match(
      readFileSync(join(dir, 'b', 'jest.config.js'), 'utf8'),
      /setupFilesAfterEnv: \['<rootDir>\/\.\.\/netra-memory-monitor\.cjs'\]/,
    );

    // The root's testTimeout stops the project's slow test; both projects load their monitor.
    const afterFix = jest(dir, { NODE_TEST_MEMORY_LIMIT_MB: '4000', NODE_TEST_MEMORY_ACTION: 'warn' });
    assert.equal(afterFix.code, 1, afterFix.out);
    assert.match(afterFix.out, /Exceeded timeout of 1000 ms for a test/);
    assert.match(afterFix.out, /\[MEMORY\]\s+waits: peak/);
    assert.match(afterFix.out, /\[MEMORY\]\s+quick: peak/);
    assert.doesNotMatch(afterFix.out, /not supported in an individual project configuration/);
  });
});

describe('Vitest 4: a Vite config with `root`, before and after fix --write --unsafe', () => {
  test('the monitor resolves from the root, and the added test block type-checks', () => {
    const dir = project({
      'package.json':
        '{\n  "name": "vite-sample",\n  "private": true,\n  "type": "module",\n  "devDependencies": { "vite": "^7.0.0", "vitest": "^4.1.0" }\n}\n',
      'vite.config.ts': "import { defineConfig } from 'vite';\n\nexport default defineConfig({\n  root: './src/client',\n});\n",
      'tsconfig.json':
        '{ "compilerOptions": { "target": "ES2022", "module": "ESNext", "moduleResolution": "bundler", "strict": true, "noEmit": true, "skipLibCheck": true, "types": [] }, "files": ["vite.config.ts"] }\n',
      'src/client/add.test.ts': "import { expect, test } from 'vitest';\n\ntest('adds', () => {\n  expect(1 + 1).toBe(2);\n});\n",
    });
    const tsc = () => run([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir);
    const before = vitest(dir);
    assert.equal(before.code, 0, before.out);

    const fixed = runCli(['fix', '--write', '--unsafe'], dir);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    const config = readFileSync(join(dir, 'vite.config.ts'), 'utf8');
    assert.match(config, /^\/\/\/ <reference types="vitest\/config" \/>\nimport \{ defineConfig \} from 'vite';/);
    assert.match(config, /setupFiles: \['\.\.\/\.\.\/netra-memory-monitor\.mjs'\]/);

    const afterFix = vitest(dir, { NODE_TEST_MEMORY_LIMIT_MB: '4000', NODE_TEST_MEMORY_ACTION: 'warn' });
    assert.equal(afterFix.code, 0, afterFix.out);
    assert.match(afterFix.out, /\[MEMORY\]\s+adds: peak/);
    assert.equal(tsc().code, 0, tsc().out);
    // Without the reference, Vite's defineConfig rejects the test block.
    writeFileSync(join(dir, 'vite.config.ts'), config.replace('/// <reference types="vitest/config" />\n', ''));
    assert.match(tsc().out, /'test' does not exist in type 'UserConfigExport'/);
  });
});

/** Issue 24 items 3 and 4: a fix holds in every environment and every project Vitest runs. */
describe('Vitest 4: environments and projects, before and after fix --write (issue 24)', () => {
  const TYPED_MODULE = '{\n  "name": "envs",\n  "private": true,\n  "type": "module",\n  "devDependencies": { "vitest": "^4.1.0" }\n}\n';
  const testFile = (name: string) => `import { expect, test } from 'vitest';\n\ntest('${name}', () => {\n  expect(1).toBe(1);\n});\n`;

  test('a project with its own root (path.join(import.meta.dirname, ...)) loads the monitor from its own entry; each project runs its test', () => {
    const dir = project({
      'package.json': TYPED_MODULE,
      '.github/workflows/ci.yml': 'on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx vitest run\n',
      'vitest.config.ts':
        "import path from 'node:path';\nimport { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    execArgv: ['--max-old-space-size=4096'],\n    projects: [\n      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },\n      { extends: true, test: { name: 'snapshots', root: path.join(import.meta.dirname, 'snapshots') } },\n    ],\n  },\n});\n",
      'src/unit.test.ts': testFile('unit works'),
      'snapshots/snap.test.ts': testFile('snapshot works'),
    });
    const before = vitest(dir);
    assert.equal(before.code, 0, before.out);
    assert.match(before.out, /Tests\s+2 passed \(2\)/);

    const fixed = runCli(['fix', '--write'], dir);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    const config = readFileSync(join(dir, 'vitest.config.ts'), 'utf8');
    assert.match(config, /name: 'unit', include: \['src\/\*\*\/\*\.test\.ts'\], setupFiles: \['\.\/netra-memory-monitor\.mjs'\]/);
    assert.match(config, /root: path\.join\(import\.meta\.dirname, 'snapshots'\), setupFiles: \['\.\.\/netra-memory-monitor\.mjs'\]/);
    assert.doesNotMatch(
      config,
      /^ {4}setupFiles/m,
      'nothing at the root level, which the snapshots project would resolve from its own root',
    );

    const afterFix = vitest(dir, { NODE_TEST_MEMORY_LIMIT_MB: '4000', NODE_TEST_MEMORY_ACTION: 'warn' });
    assert.equal(afterFix.code, 0, afterFix.out);
    assert.match(afterFix.out, /Tests\s+2 passed \(2\)/);
    assert.match(afterFix.out, /\[MEMORY\] \S*src\/unit\.test\.ts: 1 tests/);
    assert.match(afterFix.out, /\[MEMORY\] \S*snapshots\/snap\.test\.ts: 1 tests/);
  });

  test('inline projects without extends: the monitor goes into each Node project, nothing at the root', () => {
    const dir = project({
      'package.json': TYPED_MODULE,
      '.github/workflows/ci.yml': 'on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx vitest run\n',
      'vitest.config.ts':
        "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    projects: [\n      { test: { name: 'a', include: ['a/**/*.test.ts'] } },\n      { test: { name: 'b', include: ['b/**/*.test.ts'] } },\n    ],\n  },\n});\n",
      'a/a.test.ts': testFile('a works'),
      'b/b.test.ts': testFile('b works'),
    });
    assert.equal(runCli(['fix', '--write'], dir).code, 0);
    const config = readFileSync(join(dir, 'vitest.config.ts'), 'utf8');
    assert.equal(config.match(/setupFiles: \['\.\/netra-memory-monitor\.mjs'\]/g)?.length, 2, config);
    assert.match(config, /^ {2}test: \{\n {4}projects: \[/m);
    assert.doesNotMatch(config.slice(config.lastIndexOf(']')), /setupFiles|execArgv/, 'nothing after the projects list at the root');
    const afterFix = vitest(dir, { NODE_TEST_MEMORY_LIMIT_MB: '4000', NODE_TEST_MEMORY_ACTION: 'warn' });
    assert.equal(afterFix.code, 0, afterFix.out);
    assert.match(afterFix.out, /\[MEMORY\] \S*a\/a\.test\.ts: 1 tests/);
    assert.match(afterFix.out, /\[MEMORY\] \S*b\/b\.test\.ts: 1 tests/);
  });

  test('configs run by scripts from the package (`vitest --config=./test/node/vitest.config.ts`): setup paths and `root` resolve from there', () => {
    const dir = project({
      'package.json':
        '{\n  "name": "scripts",\n  "private": true,\n  "type": "module",\n  "scripts": {\n    "test:node": "vitest run --config=./test/node/vitest.config.ts",\n    "test:native": "vitest run --config=./test/native/vitest.config.ts"\n  },\n  "devDependencies": { "vitest": "^4.1.0" }\n}\n',
      '.github/workflows/ci.yml': 'on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm run test:node\n',
      'test/node/vitest.config.ts':
        "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    dir: './test/node',\n  },\n});\n",
      'test/native/vitest.config.ts':
        "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    root: './test/native',\n  },\n});\n",
      'test/node/a.test.ts': testFile('node works'),
      'test/native/b.test.ts': testFile('native works'),
    });
    const npmRun = (config: string, env: NodeJS.ProcessEnv = {}) =>
      run([join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', `--config=./test/${config}/vitest.config.ts`], dir, env);
    for (const config of ['node', 'native']) assert.equal(npmRun(config).code, 0, npmRun(config).out);

    assert.equal(runCli(['fix', '--write'], dir).code, 0);
    assert.match(readFileSync(join(dir, 'test/node/vitest.config.ts'), 'utf8'), /setupFiles: \['\.\/netra-memory-monitor\.mjs'\]/);
    assert.match(
      readFileSync(join(dir, 'test/native/vitest.config.ts'), 'utf8'),
      /setupFiles: \['\.\.\/\.\.\/netra-memory-monitor\.mjs'\]/,
    );
    for (const config of ['node', 'native']) {
      const afterFix = npmRun(config, { NODE_TEST_MEMORY_LIMIT_MB: '4000', NODE_TEST_MEMORY_ACTION: 'warn' });
      assert.equal(afterFix.code, 0, afterFix.out);
      assert.match(afterFix.out, /Tests\s+1 passed \(1\)/);
      assert.match(afterFix.out, /\[MEMORY\] \S*\.test\.ts: 1 tests/);
    }
  });

  test('CI sets NODE_OPTIONS=--max-old-space-size=8096: the fix adds the monitor only, and the worker keeps its 8 GB heap', () => {
    const dir = project({
      'package.json': TYPED_MODULE,
      '.github/workflows/ci.yml':
        'on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      NODE_OPTIONS: --max-old-space-size=8096\n    steps:\n      - run: npm ci\n      - run: npx vitest run\n',
      'vitest.config.ts':
        "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    environment: 'node',\n  },\n});\n",
      'heap.test.ts':
        "import { getHeapStatistics } from 'node:v8';\nimport { expect, test } from 'vitest';\n\ntest('heap', () => {\n  console.log(`HEAP_LIMIT_MB=${Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)}`);\n  expect(1).toBe(1);\n});\n",
    });
    const ci = { NODE_OPTIONS: '--max-old-space-size=8096' };
    const heap = (out: string) => Number(/HEAP_LIMIT_MB=(\d+)/.exec(out)?.[1]);
    const before = vitest(dir, ci);
    assert.equal(before.code, 0, before.out);
    assert.ok(heap(before.out) > 8000, before.out);

    const checked = runCli(['check', '--format', 'compact'], dir);
    assert.match(checked.stdout, /Vitest config has no memory monitor in `setupFiles`: /);
    assert.doesNotMatch(checked.stdout, /heap ceiling/);
    assert.equal(runCli(['fix', '--write'], dir).code, 0);
    assert.doesNotMatch(readFileSync(join(dir, 'vitest.config.ts'), 'utf8'), /execArgv/);
    const afterFix = vitest(dir, { ...ci, NODE_TEST_MEMORY_LIMIT_MB: '4000', NODE_TEST_MEMORY_ACTION: 'warn' });
    assert.equal(afterFix.code, 0, afterFix.out);
    assert.ok(heap(afterFix.out) > 8000, `the worker's heap limit fell: ${afterFix.out}`);
    assert.match(afterFix.out, /\[MEMORY\] \S*heap\.test\.ts: 1 tests/);
  });
});
