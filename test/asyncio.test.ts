/**
 * The test-source rules against real pytest-asyncio 1.4: a suite that errors before the fix and passes
 * after `fix --write --unsafe`, and one where the safe fix alone flips the default loop scope to `function`
 * and the suite keeps passing because the wider-cached fixtures got their own `loop_scope`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonAvailable, runCli, runPython, writeTree } from './support/env.js';

const project = (files: Record<string, string>) => writeTree(files, 'netra-asyncio-');

function pytest(dir: string, ...args: string[]) {
  const r = runPython(['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...args], { cwd: dir, env: { PYTEST_ADDOPTS: '', COLUMNS: '200' } });
  return { code: r.code, out: r.stdout + r.stderr };
}

describe('test sources under real pytest-asyncio', { skip: pythonAvailable() }, () => {
  test('a session-scoped async fixture, an event_loop request and the deprecated mark argument: errors before, passes after fix --write --unsafe', () => {
    const dir = project({
      'pytest.ini': '[pytest]\ntestpaths = tests\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n',
      'tests/conftest.py':
        'import asyncio\n\nimport pytest_asyncio\n\n\n@pytest_asyncio.fixture(scope="session")\nasync def db_pool():\n    pool = {"loop": asyncio.get_running_loop()}\n    yield pool\n',
      'tests/test_db.py': [
        'import pytest',
        '',
        '',
        'async def test_pool(db_pool):',
        '    assert db_pool["loop"] is not None',
        '',
        '',
        '@pytest.mark.asyncio(scope="module")',
        'async def test_loop(event_loop):',
        '    fut = event_loop.create_future()',
        '    event_loop.call_soon(fut.set_result, 1)',
        '    assert await fut == 1',
        '',
      ].join('\n'),
    });
    const before = pytest(dir);
    assert.equal(before.code, 1, before.out);
    assert.match(before.out, /PytestDeprecationWarning: The "scope" keyword argument to the asyncio marker has been deprecated/);
    assert.match(
      before.out,
      /ScopeMismatch: You tried to access the function scoped fixture _function_scoped_runner with a session scoped request object/,
    );
    assert.match(before.out, /fixture 'event_loop' not found/);

    const check = runCli(['check', '--format', 'json'], dir);
    const rules = (JSON.parse(check.stdout) as { rule: string; file: string; line: number }[])
      .filter((f) => f.file.endsWith('.py'))
      .map((f) => `${f.rule} ${f.file}:${f.line}`);
    assert.deepEqual(rules.sort(), [
      'async-fixture-scope tests/conftest.py:6',
      'asyncio-mark-loop-scope tests/test_db.py:8',
      'no-event-loop-fixture tests/test_db.py:9',
    ]);

    const fixed = runCli(['fix', '--write', '--unsafe'], dir);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.match(readFileSync(join(dir, 'tests/test_db.py'), 'utf8'), /^import asyncio\n/m);
    const after = pytest(dir, '-W', 'error::pytest.PytestDeprecationWarning', '--strict-config');
    assert.equal(after.code, 0, after.out);
    assert.match(after.out, /2 passed/);
  });

  test('the unsafe fix flips the default loop scope to function and keeps wider-cached async fixtures in their loops', () => {
    const dir = project({
      'pytest.ini': '[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = session\n',
      'conftest.py': [
        'import asyncio',
        '',
        'import pytest',
        '',
        '',
        '@pytest.fixture(scope="session")',
        'async def db_pool():',
        '    yield {"loop": asyncio.get_running_loop()}',
        '',
        '',
        '@pytest.fixture(scope="module")',
        'async def cache(db_pool):',
        '    return {"pool": db_pool}',
        '',
        '',
        '@pytest.fixture',
        'async def per_test():',
        '    return asyncio.get_running_loop()',
        '',
      ].join('\n'),
      'test_app.py': [
        'import asyncio',
        '',
        '',
        'async def test_pool(db_pool, cache):',
        '    assert cache["pool"] is db_pool',
        '',
        '',
        'async def test_per_test_loop(per_test):',
        "    # After the fix a function-scoped async fixture runs in the test's own loop.",
        '    assert per_test is asyncio.get_running_loop()',
        '',
      ].join('\n'),
    });
    const before = pytest(dir, 'test_app.py::test_pool');
    assert.equal(before.code, 0, before.out);

    const dry = runCli(['fix', '--unsafe', '--rule', 'async-fixture-scope:off'], dir);
    assert.equal(dry.code, 1);
    // One fix, both files: the config and the fixtures that keep their loop.
    assert.match(dry.stdout, /^\+asyncio_default_fixture_loop_scope = function$/m);
    assert.match(dry.stdout, /^\+@pytest_asyncio\.fixture\(scope="session", loop_scope="session"\)$/m);
    assert.match(dry.stdout, /^\+@pytest_asyncio\.fixture\(scope="module", loop_scope="module"\)$/m);
    assert.match(dry.stdout, /^\+import pytest_asyncio$/m);

    const fixed = runCli(
      [
        'fix',
        '--write',
        '--unsafe',
        '--rule',
        'async-fixture-scope:off',
        '--rule',
        'require-memory-limit:off',
        '--rule',
        'require-timeout:off',
        '--rule',
        'require-strict-config:off',
        '--rule',
        'require-fail-fast:off',
      ],
      dir,
    );
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    const after = pytest(dir);
    assert.equal(after.code, 0, after.out);
    assert.match(after.out, /2 passed/);
  });

  test('with a session-cached async fixture the flip is unsafe: a function-scoped fixture awaiting on its loop would fail', () => {
    const conftest = [
      'import asyncio',
      '',
      'import pytest',
      '',
      '',
      '@pytest.fixture(scope="session")',
      'async def session_loop():',
      '    return asyncio.get_running_loop()',
      '',
      '',
      '@pytest.fixture',
      'async def answer(session_loop):',
      '    future = session_loop.create_future()',
      '    session_loop.call_soon(future.set_result, 42)',
      '    return await future',
      '',
    ].join('\n');
    const dir = project({
      'pytest.ini': '[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = session\n',
      'conftest.py': conftest,
      'test_answer.py': 'async def test_answer(answer):\n    assert answer == 42\n',
    });
    assert.equal(pytest(dir).code, 0);
    const only = ['--rule', 'require-memory-limit:off', '--rule', 'require-timeout:off', '--rule', 'require-strict-config:off'];
    // The default (safe) fix leaves the loop scope alone (an error left under strict), and the suite still passes.
    assert.equal(runCli(['fix', '--write', '--preset', 'strict', ...only], dir).code, 1);
    assert.match(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /^asyncio_default_fixture_loop_scope = session$/m);
    assert.equal(readFileSync(join(dir, 'conftest.py'), 'utf8'), conftest);
    // What the unsafe fix risks, shown: `answer` moves into the test's loop and awaits a future of the session loop.
    runCli(['fix', '--write', '--unsafe', '--rule', 'require-fail-fast:off', '--rule', 'async-fixture-scope:off', ...only], dir);
    assert.match(readFileSync(join(dir, 'conftest.py'), 'utf8'), /loop_scope="session"/);
    const after = pytest(dir);
    assert.equal(after.code, 1, after.out);
    assert.match(after.out, /attached to a different loop/);
  });
});
