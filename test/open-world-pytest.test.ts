/**
 * Real pytest decides: after `fix --write`, the project's declared test dependencies (installed into a fresh
 * environment from the local index) start pytest with the fixed config under --strict-config; conftest and
 * local-plugin registrations the open-world rules accept are accepted by pytest too.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fix } from '../src/index.js';
import { readProjectDependencies, testDependencyList } from '../src/formats/dependencies.js';
import { readFileSync } from 'node:fs';
import { allRules } from '../src/rules.js';
import { copyToTemp, pythonAvailable, PYTHON, ROOT, tempDir } from './support/env.js';

/** The pytest distributions the machine's local index has (facts.md §7). */
const LOCAL_INDEX = new Set([
  'pytest',
  'pytest-asyncio',
  'pytest-timeout',
  'pytest-xdist',
  'pytest-cov',
  'pytest-mock',
  'pytest-benchmark',
]);
const skip = pythonAvailable();
let venvPython = '';

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env },
    timeout: 300_000,
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const read = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
};

/** The test dependency list's distributions that the local index has. */
async function declaredTestDeps(project: string): Promise<string[]> {
  const list = testDependencyList(await readProjectDependencies({ read }, project))!;
  return list.dependencies.map((d) => d.requirement.name).filter((n) => LOCAL_INDEX.has(n));
}

/** pip install into `<project>/.deps`; pip mostly waits on the disk, so the projects install side by side. */
function install(project: string, names: string[]): Promise<void> {
  return new Promise((resolveInstall, reject) => {
    // pip of the test tools' environment writes the target; the fresh interpreter only runs what it holds.
    const child = spawn(
      PYTHON,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--no-compile',
        '--retries',
        '0',
        '--disable-pip-version-check',
        '--target',
        join(project, '.deps'),
        ...names,
      ],
      { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) =>
      code === 0 ? resolveInstall() : reject(new Error(`pip install ${names.join(' ')}: exit ${code}\n${err}`)),
    );
  });
}

const pytestIn = (project: string) =>
  run(venvPython, ['-m', 'pytest', '--strict-config', '-p', 'no:cacheprovider'], project, { PYTHONPATH: join(project, '.deps') });

describe('fixed projects start pytest with their declared test dependencies', { skip }, () => {
  const CASES = ['invalid-poetry-group', 'invalid-uv-dependency-groups', 'invalid-requirements-dev', 'invalid-setup-cfg-extras'];
  const onlyTimeout = Object.fromEntries(allRules.map((r) => [r.meta.id, r.meta.id === 'require-timeout' ? 'error' : 'off'] as const));
  const projects = new Map<string, { dir: string; names: string[] }>();
  const newProject = (name: string) => {
    const dir = copyToTemp(join(ROOT, 'fixtures', 'rules', 'require-timeout', name, 'input'));
    mkdirSync(join(dir, 'tests'), { recursive: true });
    writeFileSync(join(dir, 'tests', 'test_ok.py'), 'def test_ok():\n    pass\n');
    return dir;
  };

  before(async () => {
    const env = tempDir('netra-venv-');
    const r = run('python3', ['-m', 'venv', '--without-pip', join(env, 'venv')], env);
    assert.equal(r.code, 0, r.out);
    venvPython = join(env, 'venv', 'bin', 'python');
    for (const name of CASES) {
      const dir = newProject(name);
      const result = await fix({ cwd: dir, paths: ['.'], toolConfig: false, write: true, rules: onlyTimeout });
      assert.equal(result.written, true);
      projects.set(name, { dir, names: await declaredTestDeps(dir) });
    }
    // Control: the dependencies declared before the fix, with the fixed config.
    const control = newProject('invalid-requirements-dev');
    projects.set('control', { dir: control, names: await declaredTestDeps(control) });
    cpSync(
      join(ROOT, 'fixtures', 'rules', 'require-timeout', 'invalid-requirements-dev', 'output', 'pytest.ini'),
      join(control, 'pytest.ini'),
    );
    await Promise.all([...projects.values()].map((p) => install(p.dir, p.names)));
  });

  for (const name of CASES) {
    test(`${name}: fix --write adds pytest-timeout where pytest is declared; pytest starts with the fixed config`, () => {
      const { dir, names } = projects.get(name)!;
      assert.ok(names.includes('pytest-timeout'), `declared after the fix: ${names.join(', ')}`);
      const r = pytestIn(dir);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /1 passed/);
    });
  }

  test('control: the dependencies declared before the fix cannot start the fixed config (exit 4)', () => {
    const { dir, names } = projects.get('control')!;
    assert.ok(!names.includes('pytest-timeout'));
    const r = pytestIn(dir);
    assert.equal(r.code, 4, r.out);
    assert.match(r.out, /Missing required plugins: pytest-timeout/);
  });
});

describe('conftest registrations the rules accept, pytest accepts', { skip }, () => {
  test('conftest-registered: --run-slow, --db-url, api_base, slow and db run under --strict-config and --strict-markers', () => {
    const project = copyToTemp(join(ROOT, 'fixtures', 'open-world', 'conftest-registered'));
    const r = run(PYTHON, ['-m', 'pytest', '-p', 'no:cacheprovider'], project);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /1 passed/);
  });
});

describe('event_loop: what the no-event-loop-fixture findings say is what pytest does', { skip }, () => {
  const cases = join(ROOT, 'fixtures', 'rules', 'no-event-loop-fixture');
  test("the project's own event_loop with pytest-asyncio 1.x: both tests run, and the async one runs in another loop", () => {
    const r = run(PYTHON, ['-m', 'pytest', '-p', 'no:cacheprovider', '-q'], copyToTemp(join(cases, 'invalid-own-event-loop', 'input')));
    // test_same_loop asserts `asyncio.get_running_loop() is not event_loop`.
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /2 passed/);
  });

  test('an event_loop override nothing requests breaks nothing with pytest-asyncio 1.x (a warning, not an error)', () => {
    const r = run(PYTHON, ['-m', 'pytest', '-p', 'no:cacheprovider', '-q'], copyToTemp(join(cases, 'invalid-session-override', 'input')));
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /1 passed/);
    const expected = JSON.parse(readFileSync(join(cases, 'invalid-session-override', 'expected.json'), 'utf8')) as { severity: string }[];
    assert.deepEqual(
      expected.map((f) => f.severity),
      ['warning'],
    );
  });

  test('without pytest-asyncio, an event_loop fixture is an ordinary fixture that runs (no finding)', () => {
    const r = run(
      PYTHON,
      ['-m', 'pytest', '-p', 'no:cacheprovider', '-p', 'no:asyncio', '-q'],
      copyToTemp(join(cases, 'valid-no-pytest-asyncio', 'input')),
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /1 passed/);
  });
});

describe('require-testpaths: the unsafe fix keeps the collected tests', { skip }, () => {
  test('invalid-one-test-dir: the same node ids before and after fix --write --unsafe', async () => {
    const project = copyToTemp(join(ROOT, 'fixtures', 'rules', 'require-testpaths', 'invalid-one-test-dir', 'input'));
    const collect = () => run(PYTHON, ['-m', 'pytest', '--collect-only', '-q', '-p', 'no:cacheprovider', '--strict-config'], project);
    const before = collect();
    assert.equal(before.code, 0, before.out);
    const rules = Object.fromEntries(allRules.map((r) => [r.meta.id, r.meta.id === 'require-testpaths' ? 'error' : 'off'] as const));
    const result = await fix({ cwd: project, paths: ['.'], toolConfig: false, write: true, unsafe: true, rules });
    assert.equal(result.appliedFixes, 1);
    assert.match(readFileSync(join(project, 'pytest.ini'), 'utf8'), /^testpaths = tests$/m);
    const after = collect();
    assert.equal(after.code, 0, after.out);
    const ids = (out: string) => out.split('\n').filter((l) => l.includes('::'));
    assert.deepEqual(ids(after.out), ids(before.out));
    assert.deepEqual(ids(after.out), ['tests/test_app.py::test_app']);
  });
});
