/**
 * What a `testpaths` entry collects, judged by real pytest 9: a file entry is its tests (not "0 test files"
 * and not a root the unsafe single-test-root fix may drop), globs expand as pytest's `glob.iglob` expands
 * them, and `--doctest-glob` text files count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, fix } from '../src/index.js';
import { allRules } from '../src/rules.js';
import { pythonAvailable, runPython, writeTree } from './support/env.js';

const rules = { ...Object.fromEntries(allRules.map((r) => [r.meta.id, 'off' as const])), 'single-test-root': 'error' as const };

const SIX_TESTS =
  'def test_1(): pass\ndef test_2(): pass\ndef test_3(): pass\n\nclass TestDuration:\n    def test_4(self): pass\n    def test_5(self): pass\n    async def test_6(self): pass\n\ndef helper(): pass\n';
const ONE = 'def test_one():\n    pass\n';

/** The node ids real pytest collects with the config as it stands. */
function collected(dir: string): string[] {
  const r = runPython(['-m', 'pytest', '--collect-only', '-q', '-p', 'no:cacheprovider', '-p', 'no:asyncio'], {
    cwd: dir,
    env: { PYTEST_ADDOPTS: '' },
  });
  assert.ok(r.code === 0 || r.code === 5, r.stdout + r.stderr);
  return r.stdout.split('\n').filter((l) => l.includes('::') || /\.(md|txt|rst)$/.test(l.trim()));
}

test('a file in testpaths is its tests, not a root: no finding beside one directory', { skip: pythonAvailable() }, async () => {
  const dir = writeTree({
    'pyproject.toml': '[tool.pytest.ini_options]\ntestpaths = ["tests", ".github/scripts/test_ci_duration.py"]\n',
    'tests/test_a.py': ONE,
    '.github/scripts/test_ci_duration.py': SIX_TESTS,
  });
  const result = await check({ cwd: dir, paths: ['.'], rules, toolConfig: false });
  assert.deepEqual(
    result.diagnostics.map((d) => d.message),
    [],
  );
  assert.equal(collected(dir).filter((id) => id.startsWith('.github/scripts/test_ci_duration.py::')).length, 6);
});

test(
  'beside two roots, a file entry is described by its tests and the unsafe fix keeps it (pytest still collects its 6 tests)',
  { skip: pythonAvailable() },
  async () => {
    const dir = writeTree({
      'pyproject.toml':
        '[tool.pytest.ini_options]\ntestpaths = [\n  "tests",\n  "integration",\n  ".github/scripts/test_ci_duration.py",\n]\n',
      'tests/test_a.py': ONE,
      'integration/test_b.py': ONE,
      'integration/test_c.py': ONE,
      '.github/scripts/test_ci_duration.py': SIX_TESTS,
    });
    const result = await check({ cwd: dir, paths: ['.'], rules, toolConfig: false });
    assert.deepEqual(
      result.diagnostics.map((d) => [d.line, d.message]),
      [[2, '`testpaths` lists 2 roots; integration (2 test files) would no longer be collected by default']],
    );
    const before = collected(dir);
    await fix({ cwd: dir, paths: ['.'], rules, unsafe: true, write: true, toolConfig: false });
    assert.equal(
      readFileSync(join(dir, 'pyproject.toml'), 'utf8'),
      '[tool.pytest.ini_options]\ntestpaths = [\n  "tests",\n  ".github/scripts/test_ci_duration.py",\n]\n',
    );
    const after = collected(dir);
    assert.deepEqual(
      after,
      before.filter((id) => !id.startsWith('integration/')),
    );
    assert.equal(after.filter((id) => id.startsWith('.github/')).length, 6);
  },
);

test('globs in testpaths expand as pytest expands them; --doctest-glob files count', { skip: pythonAvailable() }, async () => {
  const dir = writeTree({
    'pytest.ini': '[pytest]\ntestpaths = tests packages/*/tests docs\naddopts = --doctest-glob=*.md\n',
    'tests/test_a.py': ONE,
    'packages/alpha/tests/test_x.py': ONE,
    'packages/beta/tests/test_y.py': ONE,
    'packages/beta/tests/test_z.py': ONE,
    'packages/.hidden/tests/test_h.py': ONE,
    'docs/guide.md': 'Example:\n\n    >>> 1 + 1\n    2\n',
    'docs/notes.rst': 'no doctest here\n',
  });
  const result = await check({ cwd: dir, paths: ['.'], rules, toolConfig: false });
  assert.deepEqual(
    result.diagnostics.map((d) => d.message),
    [
      '`testpaths` lists 3 roots; packages/*/tests (3 test files) and docs (0 test files, 1 doctest file) would no longer be collected by default',
    ],
  );
  // pytest agrees: three modules under the glob (not the hidden package) and the one .md file as a doctest.
  const ids = collected(dir);
  assert.deepEqual(
    ids.filter((id) => id.startsWith('packages/')).map((id) => id.split('::')[0]),
    ['packages/alpha/tests/test_x.py', 'packages/beta/tests/test_y.py', 'packages/beta/tests/test_z.py'],
  );
  assert.ok(
    ids.some((id) => id.startsWith('docs/guide.md')),
    ids.join('\n'),
  );
});
