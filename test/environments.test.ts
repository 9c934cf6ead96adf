/**
 * Issue 24, the Python side: a fix holds in every environment the project runs its tests in. The model
 * (tox envs, nox sessions, CI jobs, read statically) and, with real pytest in one venv per environment
 * (test/support/venvs.ts), that after `fix --write` pytest starts in every environment and collects the
 * same tests as before.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Workspace } from '../src/core/workspace.js';
import { readProjectDependencies } from '../src/formats/dependencies.js';
import { lackingPlugin, pinnedBelow, readEnvironments, type TestEnvironment } from '../src/runners/pytest/environments.js';
import { PYTHON, pythonAvailable, runCli, tempDir, writeTree } from './support/env.js';
import { pytestIn, venvWith } from './support/venvs.js';

async function environments(dir: string): Promise<TestEnvironment[]> {
  const ws = new Workspace();
  const files = { read: (p: string) => ws.text(p), list: (d: string) => ws.listDir(d) };
  return readEnvironments(files, await readProjectDependencies(files, dir));
}

const byName = (envs: TestEnvironment[], name: string) => {
  const e = envs.find((x) => x.name === name);
  assert.ok(e, `no ${name} among ${envs.map((x) => x.name).join(', ')}`);
  return e;
};
const installs = (e: TestEnvironment) => [...e.installs.keys()].sort();

describe('the environment model, read statically', () => {
  test('tox: envlist factors, {[section]deps} references, -r files, extras, skip_install, setenv PYTEST_ADDOPTS', async () => {
    const dir = writeTree({
      'pyproject.toml': '[project]\nname = "p"\ndependencies = ["httpx"]\n[project.optional-dependencies]\ntest = ["pytest-timeout"]\n',
      'requirements-test.txt': 'pytest\n-r requirements-cov.txt\n',
      'requirements-cov.txt': 'pytest-cov\n',
      'tox.ini': [
        '[tox]',
        'envlist = py{311,312}-{plain,asyncio}, lint',
        '',
        '[base]',
        'deps = -r requirements-test.txt',
        '',
        '[testenv]',
        'extras = test',
        'deps =',
        '    {[base]deps}',
        '    asyncio: pytest-asyncio==0.21.1',
        'setenv =',
        '    asyncio: PYTEST_ADDOPTS = -p asyncio',
        'commands = pytest {posargs}',
        '',
        '[testenv:lint]',
        'skip_install = true',
        'deps = ruff',
        'commands = ruff check .',
        '',
      ].join('\n'),
    });
    const envs = await environments(dir);
    assert.deepEqual(
      envs.map((e) => e.name),
      ['tox env py311-plain', 'tox env py311-asyncio', 'tox env py312-plain', 'tox env py312-asyncio', 'tox env lint'],
    );
    const plain = byName(envs, 'tox env py312-plain');
    assert.deepEqual(installs(plain), ['httpx', 'pytest', 'pytest-cov', 'pytest-timeout']);
    assert.equal(plain.open, null);
    assert.equal(plain.addopts, null);
    assert.deepEqual(plain.pytest, [{ args: [], cwd: dir, isolated: false }]);
    const asyncio = byName(envs, 'tox env py311-asyncio');
    assert.equal(asyncio.installs.get('pytest-asyncio'), '==0.21.1');
    assert.equal(asyncio.addopts, '-p asyncio');
    const lint = byName(envs, 'tox env lint');
    assert.deepEqual(installs(lint), ['ruff']);
    assert.deepEqual(lint.pytest, []);
    // Lacking: plain envs have no pytest-asyncio; the asyncio envs pin one older than 0.24.
    const running = envs.filter((e) => e.pytest.length > 0);
    assert.deepEqual(
      lackingPlugin(running, 'pytest-asyncio').map((e) => e.name),
      ['tox env py311-plain', 'tox env py312-plain'],
    );
    assert.equal(lackingPlugin(running, 'pytest-asyncio', '0.24').length, 4);
  });

  test('tox: a generated matrix (sentry-python shape): every env gets exactly the factor lines that select it', async () => {
    // Hundreds of envs and thousands of `factor: value` lines: each value is read once, then matched per env.
    const libs = Array.from({ length: 60 }, (_, i) => `lib${i}`);
    const versions = ['v1', 'v2', 'v3'];
    const dir = writeTree({
      'tox.ini': [
        '[tox]',
        'envlist =',
        ...libs.map((l) => `    {py3.9,py3.12}-${l}-{${versions.join(',')}}`),
        '',
        '[testenv]',
        'deps =',
        '    pytest',
        ...libs.flatMap((l) => versions.map((v, k) => `    ${l}-${v}: ${l}==${k + 1}.0`)),
        '    {py3.9}-lib0: backport-lib0',
        '    !py3.9-lib1: modern-lib1',
        '    lib2-{v1,v2}: old-lib2',
        '    py3.12-lib3-!v3: \\',
        '        joined-lib3',
        '    # a comment',
        'commands = pytest tests/{posargs}',
        '',
        '[testenv:py3.12-lib5-{v1,v2}]',
        'deps = only-lib5',
        '',
      ].join('\n'),
    });
    const envs = await environments(dir);
    assert.equal(envs.length, libs.length * versions.length * 2);
    const deps = (name: string) => installs(byName(envs, `tox env ${name}`));
    assert.deepEqual(deps('py3.9-lib0-v2'), ['backport-lib0', 'lib0', 'pytest']);
    assert.equal(byName(envs, 'tox env py3.9-lib0-v2').installs.get('lib0'), '==2.0');
    assert.deepEqual(deps('py3.12-lib0-v1'), ['lib0', 'pytest']);
    assert.deepEqual(deps('py3.9-lib1-v1'), ['lib1', 'pytest']);
    assert.deepEqual(deps('py3.12-lib1-v3'), ['lib1', 'modern-lib1', 'pytest']);
    assert.deepEqual(deps('py3.12-lib2-v2'), ['lib2', 'old-lib2', 'pytest']);
    assert.deepEqual(deps('py3.12-lib2-v3'), ['lib2', 'pytest']);
    assert.deepEqual(deps('py3.12-lib3-v1'), ['joined-lib3', 'lib3', 'pytest']);
    assert.deepEqual(deps('py3.12-lib3-v3'), ['lib3', 'pytest']);
    // A section that names envs owns them (its deps replace the base's); its other envs keep the base.
    assert.deepEqual(deps('py3.12-lib5-v2'), ['only-lib5']);
    assert.deepEqual(deps('py3.12-lib5-v3'), ['lib5', 'pytest']);
    assert.deepEqual(byName(envs, 'tox env py3.9-lib59-v3').pytest, [{ args: ['tests/'], cwd: dir, isolated: false }]);
  });

  test('tox.toml: env_list, env_run_base with dependency_groups, set_env dotted keys, env.NAME', async () => {
    const dir = writeTree({
      'pyproject.toml': '[project]\nname = "p"\n[dependency-groups]\ntest = ["pytest", "pytest-asyncio"]\n',
      'tox.toml':
        'env_list = ["3.12", "lint"]\n\n[env_run_base]\ndependency_groups = ["test"]\nset_env.PYTEST_ADDOPTS = "-x"\ncommands = [["pytest", { replace = "posargs", default = ["tests"], extend = true }]]\n\n[env.lint]\nskip_install = true\ndeps = ["ruff"]\ncommands = [["ruff", "check"]]\n',
    });
    const envs = await environments(dir);
    const py = byName(envs, 'tox env 3.12');
    assert.deepEqual(installs(py), ['pytest', 'pytest-asyncio']);
    assert.equal(py.addopts, '-x');
    assert.equal(py.pytest.length, 1);
    assert.deepEqual(byName(envs, 'tox env lint').pytest, []);
  });

  test('nox sessions: session.install and session.run per session, read without running', async () => {
    const dir = writeTree({
      'pyproject.toml':
        '[project]\nname = "p"\n[dependency-groups]\ntest = ["pytest", {include-group = "cov"}]\ncov = ["pytest-cov"]\nemscripten = ["pytest-pyodide"]\n',
      'uv.lock': '[[package]]\nname = "pytest-asyncio"\nversion = "1.4.0"\n',
      'noxfile.py': [
        'import nox',
        '',
        '@nox.session',
        'def tests(session):',
        '    session.install(".", "--group", "test")',
        '    session.run("python", "-Im", "pytest", *session.posargs)',
        '',
        '@nox.session',
        'def docs(session):',
        '    session.install("sphinx", EXTRA)',
        '    session.run("sphinx-build", "docs", "out")',
        '',
      ].join('\n'),
    });
    const envs = await environments(dir);
    const tests = byName(envs, 'nox session tests');
    // A lock file is not an environment: pytest-asyncio is locked, but the test session does not install it.
    assert.deepEqual(installs(tests), ['pytest', 'pytest-cov']);
    assert.equal(tests.open, null);
    assert.deepEqual(tests.pytest, [{ args: [], cwd: dir, isolated: true }]);
    assert.deepEqual(
      lackingPlugin(envs, 'pytest-asyncio')
        .map((e) => e.name)
        .includes('nox session tests'),
      true,
    );
    const docs = byName(envs, 'nox session docs');
    assert.match(docs.open ?? '', /EXTRA/);
    assert.deepEqual(lackingPlugin([docs], 'pytest-asyncio'), [], 'an open environment is never said to lack a plugin');
  });

  test('GitHub and GitLab jobs: install steps, uv sync groups, poetry --with, env PYTEST_ADDOPTS, the test command', async () => {
    const dir = writeTree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'pyproject.toml': [
        '[project]',
        'name = "p"',
        '[project.optional-dependencies]',
        'test = ["pytest", "pytest-asyncio"]',
        '[dependency-groups]',
        'dev = ["pytest", "pytest-xdist"]',
        'wheel = ["pytest"]',
        '',
      ].join('\n'),
      '.github/workflows/ci.yml': [
        'on: push',
        'env:',
        '  PYTEST_ADDOPTS: -ra',
        'jobs:',
        '  unit:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - run: pip install .[test]',
        '      - run: pytest tests',
        '  wheel:',
        '    runs-on: ubuntu-latest',
        '    strategy:',
        '      matrix:',
        '        python: ["3.11", "3.12"]',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - run: uv sync --no-default-groups --group wheel',
        '      - run: python -Im pytest tests',
        '        env:',
        '          PYTEST_ADDOPTS: -x',
        '  custom:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: ./.github/actions/setup',
        '      - run: pytest',
        '',
      ].join('\n'),
      '.gitlab-ci.yml': 'test:\n  script:\n    - uv sync\n    - uv run pytest\n',
    });
    const envs = await environments(dir);
    const unit = byName(envs, 'GitHub job unit (.github/workflows/ci.yml)');
    assert.deepEqual(installs(unit), ['pytest', 'pytest-asyncio']);
    assert.equal(unit.addopts, '-ra');
    const wheel = byName(envs, 'GitHub job wheel (.github/workflows/ci.yml), each matrix entry');
    assert.deepEqual(installs(wheel), ['pytest']);
    assert.equal(wheel.addopts, '-x');
    assert.equal(wheel.pytest[0]!.isolated, true);
    assert.match(byName(envs, 'GitHub job custom (.github/workflows/ci.yml)').open ?? '', /\.\/\.github\/actions\/setup/);
    const gitlab = byName(envs, 'GitLab job test');
    assert.deepEqual(installs(gitlab), ['pytest', 'pytest-xdist']);
  });

  test('print-config shows, for a config, the environments found and what each installs and sets, and the sdist', () => {
    const dir = writeTree({
      'pyproject.toml':
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n[project]\nname = "p"\nversion = "0"\n[tool.hatch.build.targets.sdist]\ninclude = ["/src", "/tests"]\n',
      'pytest.ini': '[pytest]\ntestpaths = tests\n',
      'tox.ini': '[tox]\nenvlist = py\n[testenv]\nskip_install = true\ndeps = pytest\nsetenv = PYTEST_ADDOPTS = -x\ncommands = pytest\n',
      'tests/test_a.py': 'def test_a():\n    pass\n',
    });
    const r = runCli(['print-config', 'tests/test_a.py'], dir);
    assert.equal(r.code, 0, r.stderr);
    const pytest = (JSON.parse(r.stdout) as { pytest: { environments: unknown[]; sdist: unknown } }).pytest;
    assert.deepEqual(pytest.environments, [
      {
        name: 'tox env py',
        file: 'tox.ini',
        installs: { pytest: '' },
        from: ['pytest'],
        pytest: [{ args: [], cwd: '.' }],
        PYTEST_ADDOPTS: '-x',
      },
    ]);
    assert.deepEqual(pytest.sdist, { backend: 'hatchling', rule: '[tool.hatch.build.targets.sdist] include' });
  });

  test('pinnedBelow reads the specifiers that keep a release out', () => {
    assert.equal(pinnedBelow('==0.21.1', '0.24'), true);
    assert.equal(pinnedBelow('<0.24', '0.24'), true);
    assert.equal(pinnedBelow('>=0.21,<0.23', '0.24'), true);
    assert.equal(pinnedBelow('>=0.21', '0.24'), false);
    assert.equal(pinnedBelow('==1.4.0', '0.24'), false);
    assert.equal(pinnedBelow('', '0.24'), false);
  });
});

/** Findings of one rule, from `check --format json` in `dir`. */
function findings(dir: string, rule: string): { message: string; fix?: { applicability: string } }[] {
  const r = runCli(['check', '--format', 'json', '.'], dir);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return (JSON.parse(r.stdout) as { rule: string; message: string; fix?: { applicability: string } }[]).filter((f) => f.rule === rule);
}

const ASYNC_TESTS = {
  'tests/test_sync.py': 'def test_sync():\n    pass\n',
  'tests/test_async.py':
    'import pytest\npytest.importorskip("pytest_asyncio")\n\n@pytest.mark.asyncio\nasync def test_async():\n    pass\n',
};

describe('with real pytest, one venv per environment', { skip: pythonAvailable() }, () => {
  test('item 1: a plugin key is not written safely while a tox env runs the config without the plugin', () => {
    const dir = writeTree({
      'pyproject.toml':
        '[project]\nname = "p"\nversion = "0"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\nfilterwarnings = ["error"]\n',
      'tox.ini':
        '[tox]\nenvlist = py, asyncio\n\n[testenv]\nskip_install = true\ndeps = pytest\ncommands = pytest {posargs}\n\n[testenv:asyncio]\nskip_install = true\ndeps =\n    pytest\n    pytest-asyncio\ncommands = pytest {posargs}\n',
      ...ASYNC_TESTS,
    });
    const venvs = tempDir('netra-venvs-');
    const envs = { py: venvWith(join(venvs, 'py'), ['pytest']), asyncio: venvWith(join(venvs, 'asyncio'), ['pytest', 'pytest-asyncio']) };
    const before = Object.fromEntries(Object.entries(envs).map(([n, py]) => [n, pytestIn(py, dir, ['--co', '-q'])]));
    assert.equal(before.py!.code, 0, before.py!.out);
    assert.equal(before.asyncio!.code, 0, before.asyncio!.out);

    const loop = findings(dir, 'function-loop-scope');
    assert.equal(loop.length, 1);
    assert.equal(loop[0]!.fix?.applicability, 'unsafe');
    assert.match(loop[0]!.message, /tox env py runs pytest with this config without pytest-asyncio >= 0\.24/);

    const fixed = runCli(['fix', '--write', '.'], dir);
    assert.ok(fixed.code === 0 || fixed.code === 1, fixed.stderr);
    assert.doesNotMatch(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), /asyncio_default_fixture_loop_scope/);
    for (const [name, py] of Object.entries(envs)) {
      const after = pytestIn(py, dir, ['--co', '-q']);
      assert.equal(after.code, before[name]!.code, `${name}: ${after.out}`);
      assert.equal(after.out.split('\n')[0], before[name]!.out.split('\n')[0], name);
    }
    // Now the config says it is strict; the asyncio key would be refused there, so no safe fix may add it later.
    const strict = findings(dir, 'require-strict-config');
    assert.equal(strict.length, 0, 'the safe fixes turned strict config on: nothing the py env does not know is in the config');
  });

  test('item 1: --strict-config is not offered while an environment lacks the plugin owning a key', () => {
    const dir = writeTree({
      'pytest.ini': '[pytest]\ntestpaths = tests\nasyncio_mode = auto\n',
      'tox.ini':
        '[tox]\nenvlist = py, asyncio\n\n[testenv]\nskip_install = true\ndeps = pytest\ncommands = pytest\n\n[testenv:asyncio]\nskip_install = true\ndeps =\n    pytest\n    pytest-asyncio\ncommands = pytest\n',
      ...ASYNC_TESTS,
    });
    const strict = findings(dir, 'require-strict-config');
    assert.equal(strict.length, 1);
    assert.equal(strict[0]!.fix ?? null, null);
    assert.match(strict[0]!.message, /tox env py runs pytest with this config without pytest-asyncio, whose keys \(asyncio_mode\)/);
    const py = venvWith(join(tempDir('netra-venvs-'), 'py'), ['pytest']);
    assert.equal(pytestIn(py, dir, ['--co', '-q']).code, 0);
    // What the withheld fix would have done: the py env stops.
    const r = pytestIn(py, dir, ['--co', '-q', '--strict-config']);
    assert.equal(r.code, 4, r.out);
    assert.match(r.out, /Unknown config option: asyncio_mode/);
  });

  test('item 7: pytest-asyncio==0.21.1 with --strict-config: no fix writes the key 0.21 does not know', () => {
    const dir = writeTree({
      'pytest.ini': '[pytest]\ntestpaths = tests\naddopts = --strict-config\n',
      'requirements.txt': 'pytest\npytest-asyncio==0.21.1\n',
      ...ASYNC_TESTS,
    });
    const loop = findings(dir, 'function-loop-scope');
    assert.equal(loop.length, 1);
    assert.equal(loop[0]!.fix ?? null, null);
    assert.match(loop[0]!.message, /0\.21\.1.*upgrade pytest-asyncio to >=0\.24 first/);
    const before = readFileSync(join(dir, 'pytest.ini'), 'utf8');
    const r = runCli(['fix', '--write', '--unsafe', '.'], dir);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.doesNotMatch(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /asyncio_default_fixture_loop_scope/);
    assert.notEqual(before, null);
  });
});

/** A session-cached async fixture whose Event is bound to the loop it ran in (pytest-asyncio 1.x, real pytest). */
const SESSION_EVENT =
  'import asyncio\nimport pytest\nimport pytest_asyncio\n\n\n@pytest_asyncio.fixture(scope="session")\nasync def ready():\n' +
  '    ev = asyncio.Event()\n    asyncio.get_running_loop().call_soon(ev.set)\n    await ev.wait()  # binds ev to this loop\n    yield ev\n\n\n' +
  '@pytest.fixture\ndef settings(ready):\n    return {"ready": ready}\n';

describe('item 8: the loop-scope fix is safe where no async fixture is split from one it uses', { skip: pythonAvailable() }, () => {
  const project = (conn: string) =>
    writeTree({
      'pytest.ini': '[pytest]\ntestpaths = tests\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = session\n',
      'requirements.txt': 'pytest\npytest-asyncio>=1.0\n',
      'tests/conftest.py': SESSION_EVENT,
      'tests/test_conn.py': `import asyncio\nimport pytest\n\n\n${conn}\n\nasync def test_conn(conn):\n    assert conn == 1\n\n\nasync def test_ready(ready):\n    assert ready.is_set()\n`,
    });
  const passed = (out: string) => /(\d+) passed/.exec(out)?.[1];

  test('safe: no async fixture narrower than the old loop uses a wider one; fix --write keeps every test passing', () => {
    // conn runs in the session loop today and in the test's after the fix; it uses no async fixture (tmp_path is pytest's).
    const dir = project(
      '@pytest.fixture\nasync def conn(tmp_path):\n    await asyncio.sleep(0)\n    return 1 if tmp_path.is_dir() else 0\n',
    );
    const before = pytestIn(PYTHON, dir, ['-q']);
    assert.equal(before.code, 0, before.out);
    const loop = findings(dir, 'function-loop-scope');
    assert.equal(loop.length, 1);
    assert.equal(loop[0]!.fix?.applicability, 'safe', loop[0]!.message);
    const fixed = runCli(['fix', '--write', '.'], dir);
    assert.ok(fixed.code === 0 || fixed.code === 1, fixed.stderr);
    assert.match(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /asyncio_default_fixture_loop_scope = function/);
    assert.match(readFileSync(join(dir, 'tests/conftest.py'), 'utf8'), /@pytest_asyncio\.fixture\(scope="session", loop_scope="session"\)/);
    const after = pytestIn(PYTHON, dir, ['-q']);
    assert.equal(after.code, 0, after.out);
    assert.equal(passed(after.out), passed(before.out));
    assert.equal(passed(after.out), '2');
  });

  test('unsafe: a function-scoped async fixture awaiting, through a sync fixture, what a session one bound to its loop', () => {
    const dir = project(
      '@pytest.fixture\nasync def conn(settings):\n    ev = settings["ready"]\n    ev.clear()\n    asyncio.get_running_loop().call_soon(ev.set)\n    await ev.wait()\n    return 1\n',
    );
    const before = pytestIn(PYTHON, dir, ['-q']);
    assert.equal(before.code, 0, before.out);
    const loop = findings(dir, 'function-loop-scope');
    assert.equal(loop.length, 1);
    assert.equal(loop[0]!.fix?.applicability, 'unsafe');
    assert.match(
      loop[0]!.message,
      /conn -> settings -> ready \(tests\/test_conn\.py:6\): conn \(function-scoped\) would run in the function loop and ready in the session loop/,
    );
    const safe = runCli(['fix', '--write', '.'], dir);
    assert.ok(safe.code === 0 || safe.code === 1, safe.stderr);
    assert.match(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /asyncio_default_fixture_loop_scope = session/);
    // What this rule's unsafe fix does to the run (async-fixture-scope's own unsafe fix, narrowing `ready`, left
    // out): conn now awaits, in the test's loop, an Event bound to the session loop.
    const unsafe = runCli(['fix', '--write', '--unsafe', '--rule', 'async-fixture-scope:off', '.'], dir);
    assert.ok(unsafe.code === 0 || unsafe.code === 1, unsafe.stderr);
    assert.match(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /asyncio_default_fixture_loop_scope = function/);
    assert.match(readFileSync(join(dir, 'tests/conftest.py'), 'utf8'), /@pytest_asyncio\.fixture\(scope="session", loop_scope="session"\)/);
    const after = pytestIn(PYTHON, dir, ['-q']);
    assert.equal(after.code, 1, after.out);
    assert.match(after.out, /is bound to a different event loop|attached to a different loop/);
    assert.match(after.out, /1 passed, 1 error/);
  });

  test('unsafe: tests run in the session loop (asyncio_default_test_loop_scope) with a function-scoped async fixture', () => {
    const dir = writeTree({
      'pytest.ini':
        '[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = session\nasyncio_default_test_loop_scope = session\n',
      'requirements.txt': 'pytest\npytest-asyncio>=1.0\n',
      'conftest.py':
        'import asyncio\n\nimport pytest\n\n\n@pytest.fixture\nasync def ready():\n    ev = asyncio.Event()\n' +
        '    asyncio.get_running_loop().call_soon(ev.set)\n    await ev.wait()\n    return ev\n',
      'test_ready.py':
        'import asyncio\n\n\nasync def test_ready(ready):\n    ready.clear()\n    asyncio.get_running_loop().call_soon(ready.set)\n    await ready.wait()\n',
    });
    assert.equal(pytestIn(PYTHON, dir, ['-q']).code, 0);
    // No async fixture is cached wider than a test, yet the fix moves `ready` out of the tests' loop.
    const loop = findings(dir, 'function-loop-scope');
    assert.equal(loop.length, 1);
    assert.equal(loop[0]!.fix?.applicability, 'unsafe');
    assert.match(loop[0]!.message, /ready \(conftest\.py:7\): tests run in the session loop, where ready runs today/);
    const unsafe = runCli(['fix', '--write', '--unsafe', '--rule', 'async-fixture-scope:off', '.'], dir);
    assert.ok(unsafe.code === 0 || unsafe.code === 1, unsafe.stderr);
    const after = pytestIn(PYTHON, dir, ['-q']);
    assert.equal(after.code, 1, after.out);
    assert.match(after.out, /is bound to a different event loop/);
  });
});

describe('require-timeout: the plugin reaches every environment that runs the config', { skip: pythonAvailable() }, () => {
  test('a CI job installing pytest by name, not from the list the fix extends: the fix is unsafe and names it', () => {
    const dir = writeTree({
      'pytest.ini': '[pytest]\ntestpaths = tests\n',
      'requirements-test.txt': 'pytest\n',
      '.github/workflows/ci.yml': [
        'on: push',
        'jobs:',
        '  quick:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: pip install pytest',
        '      - run: pytest',
        '  full:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: pip install -r requirements-test.txt',
        '      - run: pytest',
        '',
      ].join('\n'),
      'tests/test_a.py': 'def test_a():\n    pass\n',
    });
    const timeout = findings(dir, 'require-timeout');
    assert.equal(timeout.length, 1);
    assert.equal(timeout[0]!.fix?.applicability, 'unsafe');
    assert.match(
      timeout[0]!.message,
      /GitHub job quick \(\.github\/workflows\/ci\.yml\) installs none of requirements-test\.txt, so it would lack pytest-timeout/,
    );
    assert.doesNotMatch(timeout[0]!.message, /GitHub job full/);
    const py = venvWith(join(tempDir('netra-venvs-'), 'py'), ['pytest']);
    const before = pytestIn(py, dir, ['--co', '-q']);
    assert.equal(before.code, 0, before.out);
    const fixed = runCli(['fix', '--write', '.'], dir);
    assert.ok(fixed.code === 0 || fixed.code === 1, fixed.stderr);
    const after = pytestIn(py, dir, ['--co', '-q']);
    assert.equal(after.code, 0, after.out);
    assert.equal(after.out.split('\n')[0], before.out.split('\n')[0]);
    // What the unsafe fix does there: required_plugins stops the env that lacks the plugin.
    const unsafe = runCli(['fix', '--write', '--unsafe', '.'], dir);
    assert.ok(unsafe.code === 0 || unsafe.code === 1, unsafe.stderr);
    assert.match(readFileSync(join(dir, 'requirements-test.txt'), 'utf8'), /pytest-timeout/);
    const stopped = pytestIn(py, dir, ['--co', '-q']);
    assert.notEqual(stopped.code, 0, stopped.out);
    assert.match(stopped.out, /Missing required plugins: pytest-timeout/);
  });

  test('every CI job installs from the list the fix extends: the fix stays safe', () => {
    const dir = writeTree({
      'pytest.ini': '[pytest]\ntestpaths = tests\n',
      'requirements-test.txt': 'pytest\n',
      '.github/workflows/ci.yml':
        'on: push\njobs:\n  full:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pip install -r requirements-test.txt\n      - run: pytest\n',
      'tests/test_a.py': 'def test_a():\n    pass\n',
    });
    const timeout = findings(dir, 'require-timeout');
    assert.equal(timeout.length, 1);
    assert.equal(timeout[0]!.fix?.applicability, 'safe');
  });
});

/** What a hatch sdist with `include = [...]` holds: the included paths and pyproject.toml, copied into a fresh directory. */
function unpackSdist(dir: string, include: string[]): string {
  const out = tempDir('netra-sdist-');
  for (const p of [...include, 'pyproject.toml']) if (existsSync(join(dir, p))) cpSync(join(dir, p), join(out, p), { recursive: true });
  return out;
}

describe('items 2 and 9: the monitor ships where the tests ship and changes no import', { skip: pythonAvailable() }, () => {
  test('item 2: a hatch sdist including only /src and /tests still loads the monitor after fix --write', () => {
    const dir = writeTree({
      'pyproject.toml': [
        '[build-system]',
        'requires = ["hatchling"]',
        'build-backend = "hatchling.build"',
        '',
        '[project]',
        'name = "pkg"',
        'version = "0"',
        '',
        '[tool.hatch.build.targets.sdist]',
        'include = ["/src", "/tests"]',
        '',
        '[tool.pytest.ini_options]',
        'testpaths = ["tests"]',
        'addopts = ["--strict-config"]',
        '',
      ].join('\n'),
      'src/pkg/__init__.py': 'VALUE = 1\n',
      'tests/test_pkg.py': 'def test_one():\n    assert 1\n',
    });
    const fixed = runCli(['fix', '--write', '.'], dir);
    assert.ok(fixed.code === 0 || fixed.code === 1, fixed.stderr);
    const config = readFileSync(join(dir, 'pyproject.toml'), 'utf8');
    assert.match(config, /memory_limit_mb = "auto"/);
    assert.doesNotMatch(config, /pythonpath|pytest_memory_plugin/);
    assert.ok(existsSync(join(dir, 'tests', 'pytest_memory_plugin.py')));
    assert.ok(!existsSync(join(dir, 'pytest_memory_plugin.py')));
    const py = venvWith(join(tempDir('netra-venvs-'), 'py'), ['pytest']);
    for (const where of [dir, unpackSdist(dir, ['src', 'tests'])]) {
      for (const mode of ['prepend', 'importlib']) {
        const r = pytestIn(py, where, [`--import-mode=${mode}`, '-q']);
        // --strict-config: memory_limit_mb is known, so the monitor registered it.
        assert.equal(r.code, 0, `${where} ${mode}: ${r.out}`);
        assert.match(r.out, /1 passed/);
      }
      const script = spawnSync(join(dirname(py), 'pytest'), ['-q', '-p', 'no:cacheprovider'], { cwd: where, encoding: 'utf8' });
      assert.equal(script.status, 0, script.stdout + script.stderr);
    }
  });

  test('item 2: a setuptools MANIFEST.in that grafts tests but excludes *_plugin.py: no fix, and it says why', () => {
    const dir = writeTree({
      'setup.py': 'from setuptools import setup\nsetup(name="pkg")\n',
      'MANIFEST.in': 'graft tests\nglobal-exclude *_plugin.py\n',
      'pytest.ini': '[pytest]\ntestpaths = tests\n',
      'tests/test_pkg.py': 'def test_one():\n    pass\n',
    });
    const found = findings(dir, 'require-memory-limit');
    assert.equal(found.length, 1);
    assert.equal(found[0]!.fix ?? null, null);
    assert.match(found[0]!.message, /the sdist \(MANIFEST\.in\) ships tests\/conftest\.py but not tests\/pytest_memory_plugin\.py/);
  });

  test('item 9: a CI job testing the installed wheel with python -Im pytest keeps importing the wheel', () => {
    const dir = writeTree({
      'pyproject.toml': '[project]\nname = "pkg"\nversion = "0"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
      // The source tree: the compiled part exists only in the wheel.
      'pkg/__init__.py': 'from pkg._ext import WHERE\n',
      'tests/test_pkg.py': 'import pkg\n\ndef test_wheel():\n    assert pkg.WHERE == "wheel"\n',
      'tests/conftest.py': 'import pytest\n\n\n@pytest.fixture\ndef answer():\n    return 42\n',
      '.github/workflows/ci.yml':
        'on: push\njobs:\n  wheel:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install dist/*.whl pytest\n      - run: python -Im pytest tests\n',
    });
    const py = venvWith(join(tempDir('netra-venvs-'), 'py'), ['pytest']);
    const site = spawnSync(py, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).stdout.trim();
    mkdirSync(join(site, 'pkg'));
    writeFileSync(join(site, 'pkg', '__init__.py'), 'from pkg._ext import WHERE\n');
    writeFileSync(join(site, 'pkg', '_ext.py'), 'WHERE = "wheel"\n');
    const run = () => spawnSync(py, ['-Im', 'pytest', '-p', 'no:cacheprovider', '-q', 'tests'], { cwd: dir, encoding: 'utf8' });
    const before = run();
    assert.equal(before.status, 0, before.stdout + before.stderr);
    const fixed = runCli(['fix', '--write', '.'], dir);
    assert.ok(fixed.code === 0 || fixed.code === 1, fixed.stderr);
    assert.doesNotMatch(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), /pythonpath/);
    assert.match(
      readFileSync(join(dir, 'tests', 'conftest.py'), 'utf8'),
      /^def answer\(\):\n {4}return 42\n\n\n# netra-migrate: the memory monitor/m,
    );
    const after = run();
    assert.equal(after.status, 0, after.stdout + after.stderr);
    assert.match(after.stdout, /1 passed/);
    // The monitor is loaded: its option is known.
    const help = spawnSync(py, ['-Im', 'pytest', '-p', 'no:cacheprovider', '--help'], { cwd: dir, encoding: 'utf8' });
    assert.match(help.stdout, /memory_limit_mb/);
  });
});
