/**
 * Fitting where users run it: the repository's ignore files in the walk, the cache for repeat runs, the
 * GitHub Action, colour and progress on terminals.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../src/index.js';
import { Workspace } from '../src/core/workspace.js';
import { runCli, writeTree } from './support/env.js';

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
    assert.equal(def.code, 1, def.stderr);
    assert.doesNotMatch(def.stderr + def.stdout, /generated/);
  });

  test("precedence: a deeper !pattern re-includes, .ignore beats .gitignore, .git/info/exclude is read", async () => {
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
    assert.deepEqual([...new Set(result.diagnostics.map((d) => d.file.slice(dir.length + 1)))].sort(), ['scratch/pytest.ini', 'sub/vendor-kept/pytest.ini']);
  });

  test('outside a git repository .gitignore is not read (as in git and ripgrep), .ignore is', async () => {
    const dir = writeTree({ '.gitignore': 'a/\n', '.ignore': 'b/\n', 'a/pytest.ini': SPLIT_INI, 'b/pyproject.toml': BROKEN_TOML }, 'netra-nogit-');
    const result = await check({ cwd: dir, paths: ['.'] });
    assert.deepEqual(result.problems, []);
    assert.deepEqual([...new Set(result.diagnostics.map((d) => d.file.slice(dir.length + 1)))], ['a/pytest.ini']);
  });

  test('ignored test modules are not read as sources; a file named on the command line is read anyway', async () => {
    const dir = repo({
      '.gitignore': 'tests/generated/\n',
      'pytest.ini': '[pytest]\ntestpaths = tests\n',
      'tests/test_ok.py': 'def test_ok():\n    pass\n',
      'tests/generated/test_loop.py': 'async def test_x(event_loop):\n    pass\n',
    });
    const walked = await check({ cwd: dir, paths: ['.'] });
    assert.ok(!walked.files.some((f) => f.includes('generated')), walked.files.join('\n'));
    assert.ok(!walked.diagnostics.some((d) => d.rule === 'no-event-loop-fixture'));
    const named = await check({ cwd: dir, paths: ['tests/generated/test_loop.py'] });
    assert.ok(named.diagnostics.some((d) => d.rule === 'no-event-loop-fixture'), JSON.stringify(named.diagnostics));
  });
});
