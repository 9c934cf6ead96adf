/**
 * The pre-commit hooks of this repository under real pre-commit 4.6 (from the test venv) with the system
 * node: the check hook fails on a config with a finding, the fix hook applies the safe fix (and, as
 * formatters do, fails because it changed a file), and then the check hook passes. The hooks are named by a
 * `.pre-commit-config.yaml` as a user's is, at a commit of this working tree (uncommitted changes included,
 * as `pre-commit try-repo` does), so the hook environment is installed once for every run: try-repo installs
 * it afresh on each call (a store of its own), and five calls took 450 s of the suite.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { preCommitFilesPattern } from '../src/file-kinds.js';
import { ROOT, VENV, pythonAvailable, runCli, tempDir, writeTree } from './support/env.js';

const PRE_COMMIT = join(VENV, 'bin', 'pre-commit');
const skip = pythonAvailable() || (!existsSync(PRE_COMMIT) ? 'pre-commit is not in the test venv (node scripts/python-env.mjs)' : false);

test('the hooks are given every file the tool reads, and no other', () => {
  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; files: string }[];
  assert.equal(hooks.length, 2);
  for (const hook of hooks) {
    // Generated from the file kinds the analyzers declare (npm run schemas): a kind read is a kind checked.
    assert.equal(hook.files, preCommitFilesPattern(), `${hook.id}: files is stale, run npm run schemas`);
    const files = new RegExp(hook.files);
    for (const name of [
      '.github/workflows/ci.yml',
      '.github/workflows/test.yaml',
      '.gitlab-ci.yml',
      'tox.ini',
      'noxfile.py',
      'Makefile',
      'scripts/test.sh',
      'pytest.ini',
      'svc/pyproject.toml',
      'tests/conftest.py',
      'tests/test_api.py',
      'jest.config.ts',
      'web/jest.config.json',
      'vitest.config.mts',
      'vite.config.js',
      'vitest.workspace.json',
      'package.json',
      'src/a.test.tsx',
      'src/b.spec.cjs',
      'src/__tests__/c.js',
      'compose.yaml',
      'docker-compose.ci.yml',
      // Judged through the config that loads them, or the script that names them.
      'pytest_memory_plugin.py',
      'tests/netra-memory-monitor.cjs',
      'netra-memory-monitor.mjs',
      'ci/jest-e2e.js',
      'jest.int.config.js',
      'packages/api/vitest.node.config.ts',
    ]) {
      assert.match(name, files, `${hook.id} is not given ${name}`);
    }
    for (const name of [
      'README.md',
      'src/app.ts',
      'tests/helpers.py',
      'jest.setup.js',
      'vitest-setup.ts',
      'package-lock.json',
      '.github/dependabot.yml',
      'tools/run.sh',
      'Makefile.am',
    ])
      assert.doesNotMatch(name, files, `${hook.id} is given ${name}`);
  }
});

test('a monitor module or a script-named config given alone (as pre-commit gives it) is checked', () => {
  const repo = writeTree({
    'package.json': JSON.stringify({ scripts: { e2e: 'jest --config ci/jest-e2e.js' } }),
    'ci/jest-e2e.js': 'module.exports = {\n  testTimeout: 5000,\n  setupFilesAfterEnvs: [],\n};\n',
    'ci/jest-other.js': 'module.exports = { testTimout: 1 };\n',
    'web/jest.config.js': "module.exports = { setupFilesAfterEnv: ['./netra-memory-monitor.cjs'], testTimeout: 5000 };\n",
    'web/netra-memory-monitor.cjs': '// netra-memory-monitor 0.9.0, written by netra-migrate\n// netra-migrate-sha256: 0\n',
    'py/pytest.ini': '[pytest]\naddopts = -p pytest_memory_plugin\n',
    'py/pytest_memory_plugin.py': '# pytest_memory_plugin 0.9.0, written by netra-migrate\n# netra-migrate-sha256: 0\n',
  });
  const found = (file: string) => {
    const r = runCli(['check', '--format', 'json', file], repo);
    assert.notEqual(r.code, 2, r.stderr);
    return (JSON.parse(r.stdout) as { file: string; rule: string; messageId?: string }[]).map((d) => `${d.file} ${d.rule}`);
  };
  assert.ok(found('ci/jest-e2e.js').includes('ci/jest-e2e.js known-options'));
  // Jest-named, but no script names it as a config: not read as one.
  assert.deepEqual(found('ci/jest-other.js'), []);
  assert.ok(found('web/netra-memory-monitor.cjs').includes('web/netra-memory-monitor.cjs outdated-memory-monitor'));
  assert.deepEqual(found('py/pytest_memory_plugin.py'), ['py/pytest_memory_plugin.py outdated-memory-monitor']);
});

describe('pre-commit hooks', { skip }, () => {
  const repo = writeTree(
    {
      'pytest.ini': '[pytest]\ntestpaths = tests\naddopts = --maxfail=5 --strict-config\nrequired_plugins = pytest-memray\n',
      // pytest-timeout is a declared test dependency, so the timeout fix (required_plugins) is safe.
      'requirements-dev.txt': 'pytest\npytest-memray\npytest-timeout\n',
      '.github/workflows/ci.yml':
        'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest --log-level DEBUG tests integration\n',
    },
    'netra-precommit-',
  );
  const home = tempDir('netra-precommit-home-');
  const gitIn = (cwd: string, ...args: string[]) =>
    spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' });
  const git = (...args: string[]) => gitIn(repo, ...args);
  // This repository as committed, plus its uncommitted changes to tracked files: what try-repo would test.
  const shadow = tempDir('netra-precommit-shadow-');
  gitIn(shadow, 'clone', '-q', ROOT, '.');
  const changes = spawnSync('git', ['diff', '--binary', 'HEAD'], { cwd: ROOT });
  if (changes.stdout.length > 0) spawnSync('git', ['apply', '--binary', '-'], { cwd: shadow, input: changes.stdout });
  gitIn(shadow, 'commit', '-qam', 'the working tree', '--allow-empty');
  const rev = gitIn(shadow, 'rev-parse', 'HEAD').stdout.trim();
  writeFileSync(
    join(repo, '.pre-commit-config.yaml'),
    `repos:\n  - repo: ${shadow}\n    rev: ${rev}\n    hooks:\n      - id: netra-migrate-check\n      - id: netra-migrate-fix\n`,
  );
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'init');
  // --verbose: the hook's output also when it passes (pre-commit shows it only on failure otherwise).
  const runHook = (hook: string, file = 'pytest.ini', verbose = false) => {
    const r = spawnSync(PRE_COMMIT, ['run', hook, '--files', file, ...(verbose ? ['--verbose'] : [])], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, PRE_COMMIT_HOME: home },
    });
    return { code: r.status, out: r.stdout + r.stderr };
  };

  test('under the recommended preset a missing timeout is a warning and the hook passes; a team that states strict fails on it', () => {
    const loose = runHook('netra-migrate-check', 'pytest.ini', true);
    assert.equal(loose.code, 0, loose.out);
    assert.match(loose.out, /netra-migrate check\.+Passed/);
    assert.match(loose.out, /^ {2}1:1 {2}warning {2}no per-test timeout: .* {2}require-timeout \[fix\]$/m);
    // The team adopts strict in its tool config (read by every hook run, whatever files it is given).
    writeFileSync(join(repo, '.netra-migrate.json'), '{ "preset": "strict" }\n');
  });

  test('check fails with the finding, fix writes the safe fix, then check passes', () => {
    const before = runHook('netra-migrate-check');
    assert.equal(before.code, 1, before.out);
    assert.match(before.out, /netra-migrate check\.+Failed/);
    assert.match(before.out, /^ {2}1:1 {2}error {4}no per-test timeout: .* {2}require-timeout \[fix\]$/m);

    const fixed = runHook('netra-migrate-fix');
    assert.equal(fixed.code, 1, fixed.out);
    assert.match(fixed.out, /- files were modified by this hook/);
    assert.match(readFileSync(join(repo, 'pytest.ini'), 'utf8'), /^timeout = 120$/m);

    const after = runHook('netra-migrate-check');
    assert.equal(after.code, 0, after.out);
    assert.match(after.out, /netra-migrate check\.+Passed/);
  });

  test('a changed workflow is checked: a step that brings back a dropped root fails the check hook', () => {
    const r = runHook('netra-migrate-check', '.github/workflows/ci.yml');
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /runs pytest on tests, integration, but pytest\.ini collects one root \(`tests`\).* {2}single-test-root$/m);
  });
});
