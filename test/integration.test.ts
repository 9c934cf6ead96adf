/** The sample project, fixed by the CLI, run by real pytest 9 with pytest-asyncio and pytest-timeout. */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { monitorText } from '../src/monitor/stamp.js';
import { ROOT, VENV, copyToTemp, pythonAvailable, runCli, runPython } from './support/env.js';

const SAMPLE = join(ROOT, 'fixtures', 'netra-core');

function pytestScript(args: string[], cwd: string) {
  const r = spawnSync(join(VENV, 'bin', 'pytest'), args, { cwd, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

const commentLines = (text: string) => text.split(/\r?\n/).filter((l) => /^\s*[#;]/.test(l));

describe('fixtures/netra-core end to end', { skip: pythonAvailable() }, () => {
  let work: string;
  before(() => {
    work = copyToTemp(SAMPLE);
  });

  test('before: pytest refuses the seed config (unknown addopts flags, exit 4)', () => {
    const r = runPython(['-m', 'pytest', '-q'], { cwd: work });
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stderr, /unrecognized arguments: --collect-only-if-memory-limit --quiet-collection/);
  });

  test('check reports the seed problems with positions', () => {
    const r = runCli(['check', '--format', 'json'], work);
    assert.equal(r.code, 1, r.stderr);
    const findings = JSON.parse(r.stdout) as { rule: string; line: number; column: number; file: string }[];
    const at = (rule: string) => findings.filter((f) => f.rule === rule).map((f) => `${f.file}:${f.line}:${f.column}`);
    assert.deepEqual(at('single-test-root'), ['pytest.ini:4:1']);
    assert.deepEqual(at('function-loop-scope'), ['pytest.ini:16:1']);
    assert.deepEqual(at('known-options'), ['pytest.ini:12:62', 'pytest.ini:12:93']);
    assert.deepEqual(at('require-timeout'), ['pytest.ini:1:1']);
    assert.deepEqual(at('require-memory-limit'), ['pytest.ini:1:1']);
    // The sources: the session- and module-cached async fixtures of the backend service.
    assert.deepEqual(at('async-fixture-scope'), ['netra_backend/tests/conftest.py:7:25', 'netra_backend/tests/conftest.py:15:17']);
  });

  test('fix --write --unsafe, then pytest --strict-config collects and runs with exit 0, as `pytest` and `python -m pytest`', () => {
    const original = readFileSync(join(work, 'pytest.ini'), 'utf8');
    const r = runCli(['fix', '--write', '--unsafe'], work);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /fixed 10 problems in 4 files/);
    assert.equal(readFileSync(join(work, 'pytest_memory_plugin.py'), 'utf8'), monitorText());
    const fixed = readFileSync(join(work, 'pytest.ini'), 'utf8');
    assert.deepEqual(commentLines(fixed), commentLines(original), 'every comment survives');
    assert.match(fixed, /^testpaths = tests$/m);
    assert.match(fixed, /^asyncio_default_fixture_loop_scope = function$/m);
    assert.match(fixed, /^timeout = 120$/m);
    // Loaded from the root conftest.py, by path: nothing is added to sys.path.
    assert.doesNotMatch(fixed, /pytest_memory_plugin|pythonpath/);
    assert.match(readFileSync(join(work, 'conftest.py'), 'utf8'), /^pytest_plugins = \["pytest_memory_plugin"\]$/m);
    assert.match(fixed, /^memory_limit_mb = auto$/m);

    const collect = pytestScript(['--strict-config', '--collect-only', '-q'], work);
    assert.equal(collect.code, 0, collect.out);
    assert.match(collect.out, /4 tests collected/);
    const viaScript = pytestScript(['--strict-config'], work);
    assert.equal(viaScript.code, 0, viaScript.out);
    assert.match(viaScript.out, /4 passed/);
    assert.match(viaScript.out, /timeout: 120\.0s/);
    const viaModule = runPython(['-m', 'pytest', '--strict-config'], { cwd: work });
    assert.equal(viaModule.code, 0, viaModule.stdout + viaModule.stderr);
    assert.match(viaModule.stdout, /4 passed/);
    // Both ways load the monitor: its report, with the limits `auto` derived.
    for (const out of [viaScript.out, viaModule.stdout]) {
      assert.match(out, /^\[MEMORY\] Starting pytest with \d+\.\dMB memory$/m);
      assert.match(out, /^\[MEMORY\] Memory limits - Collection: \d+MB, Execution: \d+MB \(action: fail\)$/m);
      assert.match(out, /^\[MEMORY\] After collection: \d+\.\dMB \(4 tests\)$/m);
    }
  });

  test('afterwards check reports none of the fixed findings, and a second fix changes nothing', () => {
    const r = runCli(['check', '--format', 'json'], work);
    const rules = (JSON.parse(r.stdout) as { rule: string }[]).map((f) => f.rule);
    assert.deepEqual(rules, []);
    assert.equal(r.code, 0);
    const again = runCli(['fix', '--unsafe'], work);
    assert.equal(again.code, 0, again.stdout);
    assert.equal(again.stdout, '');
  });
});
