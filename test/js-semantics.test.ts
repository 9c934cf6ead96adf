/**
 * Jest and Vitest semantics the rules rely on: which files the runners take for tests (their default
 * patterns, as micromatch reads them), which configs package.json scripts run by name, and that every
 * TypeScript config a fix rewrote still type-checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './support/env.js';
import { listFiles, RULE_FIXTURES } from './support/cases.js';
import { JEST_TEST_MATCH, VITEST_INCLUDE, jsGlobRegExp } from '../src/runners/js/test-files.js';
import { scriptConfigsOf } from '../src/runners/js/scripts.js';

const matchesAny = (globs: string[], path: string) => globs.some((g) => jsGlobRegExp(g).test(path));

test("Jest's default testMatch takes __tests__ files and .test/.spec files, nothing else", () => {
  for (const path of [
    '/r/src/__tests__/a.js',
    '/r/src/__tests__/deep/b.tsx',
    '/r/src/a.test.ts',
    '/r/a.spec.mjs',
    '/r/x/y.test.cjs',
    '/r/.hidden/a.test.js',
    '/r/src/test.ts' /* ?(*.) is optional */,
  ])
    assert.ok(matchesAny(JEST_TEST_MATCH, path), path);
  for (const path of ['/r/src/a.ts', '/r/src/a.test.py', '/r/src/a.testx.js', '/r/src/__tests__.js'])
    assert.ok(!matchesAny(JEST_TEST_MATCH, path), path);
});

test("Vitest's default include takes .test/.spec files with the script extensions", () => {
  assert.ok(matchesAny(VITEST_INCLUDE, '/r/src/a.test.ts'));
  assert.ok(matchesAny(VITEST_INCLUDE, '/r/src/a.spec.mjs'));
  assert.ok(!matchesAny(VITEST_INCLUDE, '/r/src/__tests__/a.ts'));
  assert.ok(jsGlobRegExp('/r/src/**/*.{test,spec}.ts').test('/r/src/a/b.spec.ts'));
  assert.ok(!jsGlobRegExp('/r/src/**/*.{test,spec}.ts').test('/r/tests/b.spec.ts'));
  assert.ok(jsGlobRegExp('**/!(*.d).ts').test('/r/a.ts'));
});

test('configs named by --config / -c in scripts, with the runner the command runs', () => {
  assert.deepEqual(
    scriptConfigsOf('cross-env CI=1 jest --config ci/jest.e2e.js --runInBand && vitest run -c vitest.node.config.ts', '/r'),
    [
      { file: '/r/ci/jest.e2e.js', runner: 'jest' },
      { file: '/r/vitest.node.config.ts', runner: 'vitest' },
    ],
  );
  assert.deepEqual(scriptConfigsOf('node node_modules/jest/bin/jest.js --config=jest.int.config.js', '/r'), [
    { file: '/r/jest.int.config.js', runner: 'jest' },
  ]);
  assert.deepEqual(scriptConfigsOf('jest -c=jest-cjs.config.ts --no-cache', '/r'), [{ file: '/r/jest-cjs.config.ts', runner: 'jest' }]);
  // Jest's inline JSON config, and a --config of another tool, name no file.
  assert.deepEqual(scriptConfigsOf('jest --config \'{"testTimeout": 9000}\'', '/r'), []);
  assert.deepEqual(scriptConfigsOf('eslint --config .eslintrc.js . && jest', '/r'), []);
});

test('every fixed TypeScript Jest/Vitest config in the rule cases type-checks (tsc --noEmit)', () => {
  const outputs = listFiles(RULE_FIXTURES)
    .filter((f) => /\/output\/(?:.*\/)?(?:vite|vitest|jest)[\w.-]*\.config\.m?ts$/.test(f))
    .map((f) => join(RULE_FIXTURES, f));
  assert.ok(outputs.length >= 10, `only ${outputs.length} fixed TypeScript configs found`);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [
    '--ignoreConfig',
    '--noEmit',
    '--skipLibCheck',
    '--strict',
    '--target',
    'ES2022',
    '--module',
    'ESNext',
    '--moduleResolution',
    'bundler',
    '--types',
    'node',
  ];
  const r = spawnSync(process.execPath, [tsc, ...args, ...outputs], { cwd: ROOT, encoding: 'utf8' });
  // Packages the cases import but this repository does not install (ts-jest, jest-preset-angular) and a
  // base config only the input holds are not found (TS2307); any other error is a fix that broke the types.
  const errors = r.stdout.split('\n').filter((line) => /error TS\d+/.test(line) && !/error TS2307:/.test(line));
  assert.deepEqual(errors, []);
});
