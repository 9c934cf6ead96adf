/**
 * The dependencies reader: every place a Python project declares dependencies, names normalized as pip
 * does, markers kept, and the editor that adds a requirement in each list's own style.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readProjectDependencies, testDependencyList, testDependencyLists, type ProjectDependencies } from '../src/formats/dependencies.js';
import { lowerBound, normalizeName, parseRequirement, parseRequirementsFile } from '../src/formats/requirements.js';

const ROOT = '/project';

async function read(files: Record<string, string>): Promise<ProjectDependencies> {
  const abs = new Map(Object.entries(files).map(([k, v]) => [join(ROOT, k), v]));
  const list = (dir: string) =>
    [...new Set([...abs.keys()].filter((p) => p.startsWith(dir + '/')).map((p) => p.slice(dir.length + 1).split('/')[0]!))].sort();
  return readProjectDependencies({ read: (p) => abs.get(p) ?? null, list }, ROOT);
}

const names = (d: ProjectDependencies) =>
  d.lists.map((l) => [
    l.group,
    l.dependencies.map((x) => x.requirement.name + x.requirement.specifier + (x.requirement.marker ? `; ${x.requirement.marker}` : '')),
  ]);

function applyAdd(files: Record<string, string>, deps: ProjectDependencies, name: string): string {
  const list = testDependencyList(deps)!;
  const edit = list.add(name)!;
  const text = files[edit.file.slice(ROOT.length + 1)]!;
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

describe('requirements (PEP 503 / PEP 508)', () => {
  test('names normalize as pip does; extras, specifiers and markers are kept', () => {
    assert.equal(normalizeName('Pytest_Django'), 'pytest-django');
    assert.equal(normalizeName('zope.interface'), 'zope-interface');
    assert.deepEqual(parseRequirement('Pytest_Asyncio[testing] >=0.24 , <2 ; python_version >= "3.9"'), {
      name: 'pytest-asyncio',
      written: 'Pytest_Asyncio',
      extras: ['testing'],
      specifier: '>=0.24,<2',
      marker: 'python_version >= "3.9"',
    });
    assert.equal(parseRequirement('pkg @ https://x/pkg.whl ; sys_platform == "linux"')?.marker, 'sys_platform == "linux"');
    assert.equal(parseRequirement('./local/path'), null);
    assert.equal(lowerBound('>=0.24,<2'), '0.24');
    assert.equal(lowerBound('^0.23'), '0.23');
    assert.equal(lowerBound('<2'), null);
  });

  test('requirements files: comments, continuations, -r/-c, options after a requirement', () => {
    const f = parseRequirementsFile(
      '# tools\n-r base.txt\n--constraint=c.txt\npytest==8.3 \\\n  --hash=sha256:abc\npytest-cov  # cov\n-e .\n',
    );
    assert.deepEqual(f.includes, ['base.txt']);
    assert.deepEqual(f.constraints, ['c.txt']);
    assert.deepEqual(
      f.requirements.map((r) => r.requirement.name + r.requirement.specifier),
      ['pytest==8.3', 'pytest-cov'],
    );
  });
});

describe('project dependencies', () => {
  test('pyproject: project, extras, PEP 735 groups with include-group, uv, PDM, Hatch, Poetry; lock versions', async () => {
    const d = await read({
      'pyproject.toml':
        [
          '[project]\ndependencies = ["Django>=5"]',
          '[project.optional-dependencies]\ntest = ["pytest"]',
          '[dependency-groups]\ndev = [{include-group = "test"}, "ruff"]\ntest = ["pytest-socket ; python_version >= \'3.9\'"]',
          '[tool.uv]\ndev-dependencies = ["pytest-recording"]',
          '[tool.pdm.dev-dependencies]\nlint = ["mypy"]',
          '[tool.hatch.envs.default]\ndependencies = ["pytest-mock"]',
          '[tool.poetry.group.dev.dependencies]\npytest-xdist = {version = "^3.5", markers = "sys_platform == \'linux\'"}',
          '[tool.setuptools.dynamic]\noptional-dependencies.extra = {file = ["reqs/extra.txt"]}',
        ].join('\n\n') + '\n',
      'reqs/extra.txt': 'anyio>=4\n',
      'uv.lock': 'version = 1\n\n[[package]]\nname = "pytest_socket"\nversion = "0.7.0"\n',
    });
    assert.deepEqual(names(d), [
      ['[project] dependencies', ['django>=5']],
      ['[project.optional-dependencies] test', ['pytest']],
      ['[dependency-groups] dev', ['ruff']],
      ['[dependency-groups] test', ["pytest-socket; python_version >= '3.9'"]],
      ['[tool.uv] dev-dependencies', ['pytest-recording']],
      ['[tool.pdm.dev-dependencies] lint', ['mypy']],
      ['[tool.hatch.envs.default] dependencies', ['pytest-mock']],
      ['[tool.poetry.group.dev.dependencies]', ["pytest-xdist^3.5; sys_platform == 'linux'"]],
      ['reqs/extra.txt', ['anyio>=4']],
    ]);
    assert.deepEqual(d.lists[2]!.includes, ['test']);
    assert.deepEqual(d.locked.get('pytest-socket'), { version: '0.7.0', file: 'uv.lock' });
  });

  test('setup.cfg, tox deps with -r, setup.py literal lists (names bound at module level), Pipfile', async () => {
    const d = await read({
      'setup.cfg': '[options]\ninstall_requires =\n    attrs\n\n[options.extras_require]\ntest =\n    pytest>=7\n',
      'tox.ini': '[testenv]\ndeps =\n    pytest-cov\n    -rrequirements/ci.txt\n',
      'requirements/ci.txt': 'pytest-timeout\n',
      'setup.py':
        'from setuptools import setup\nTESTS = ["pytest-mock", "pytest"]\nsetup(name="x", install_requires=["attrs"], extras_require={"test": TESTS})\n',
      Pipfile: '[packages]\nrequests = "*"\n\n[dev-packages]\npytest = ">=8"\n',
    });
    assert.deepEqual(names(d), [
      ['[options] install_requires', ['attrs']],
      ['[options.extras_require] test', ['pytest>=7']],
      ['tox.ini [testenv] deps', ['pytest-cov']],
      ['requirements/ci.txt', ['pytest-timeout']],
      ['setup.py install_requires', ['attrs']],
      ['setup.py extras_require["test"]', ['pytest-mock', 'pytest']],
      ['Pipfile [packages]', ['requests']],
      ['Pipfile [dev-packages]', ['pytest>=8']],
    ]);
    assert.equal(d.opaque, false);
  });

  test('a computed setup.py list makes the reading opaque, and nothing runs', async () => {
    const d = await read({
      'setup.py': 'import os\nos.system("touch /tmp/never")\nsetup(install_requires=open("r.txt").read().split())\n',
    });
    assert.equal(d.opaque, true);
  });
});

describe("adding a test plugin where pytest is declared, in the list's own style", () => {
  test('a multi-line TOML array with single quotes, trailing comma and a comment', async () => {
    const files = { 'pyproject.toml': "[dependency-groups]\ntest = [\n    'pytest>=8',  # runner\n]\n" };
    assert.equal(
      applyAdd(files, await read(files), 'pytest-timeout'),
      "[dependency-groups]\ntest = [\n    'pytest>=8',  # runner\n    'pytest-timeout',\n]\n",
    );
  });

  test('a one-line array, a Poetry table, a CRLF requirements file, a setup.py list', async () => {
    let files: Record<string, string> = { 'pyproject.toml': '[project.optional-dependencies]\ntest = ["pytest", "pytest-cov"]\n' };
    assert.equal(
      applyAdd(files, await read(files), 'pytest-timeout'),
      '[project.optional-dependencies]\ntest = ["pytest", "pytest-cov", "pytest-timeout"]\n',
    );
    files = { 'pyproject.toml': "[tool.poetry.group.test.dependencies]\npytest = '^8'\n\n[tool.black]\n" };
    assert.equal(
      applyAdd(files, await read(files), 'pytest-timeout'),
      "[tool.poetry.group.test.dependencies]\npytest = '^8'\npytest-timeout = '*'\n\n[tool.black]\n",
    );
    files = { 'requirements-dev.txt': 'pytest\r\n# end\r\n' };
    assert.equal(applyAdd(files, await read(files), 'pytest-timeout'), 'pytest\r\npytest-timeout\r\n# end\r\n');
    files = { 'setup.py': "setup(extras_require={'test': [\n    'pytest',\n]})\n" };
    assert.equal(
      applyAdd(files, await read(files), 'pytest-timeout'),
      "setup(extras_require={'test': [\n    'pytest',\n    'pytest-timeout',\n]})\n",
    );
  });

  test('never the main dependencies of a library: pytest only there gives no list; a test extra holding a plugin is chosen', async () => {
    assert.equal(testDependencyList(await read({ 'pyproject.toml': '[project]\ndependencies = ["pytest>=8"]\n' })), undefined);
    const d = await read({
      'pyproject.toml':
        '[project]\ndependencies = ["django"]\n\n[project.optional-dependencies]\ndocs = ["sphinx"]\ntest = ["pytest-django"]\n',
    });
    assert.equal(testDependencyList(d)?.group, '[project.optional-dependencies] test');
  });
});

describe('every environment that installs pytest gets the plugin; a lock or compiled file must be regenerated', () => {
  const COMPILED =
    '# This file was autogenerated by uv via the following command:\n#    uv pip compile pyproject.toml --extra test -o requirements-test.txt\n' +
    'pytest==8.3.4\n    # via\n    #   project (pyproject.toml)\nsix==1.16.0\n';

  test("a compiled file's `# via` notes stay under their requirement; without a requirements source it must be recompiled", async () => {
    const text = COMPILED.replace('six==1.16.0\n', '');
    assert.deepEqual(parseRequirementsFile(text).compiledFrom, ['pyproject.toml']);
    const files = { 'requirements-test.txt': text };
    const d = await read(files);
    assert.equal(applyAdd(files, d, 'pytest-timeout'), text + 'pytest-timeout\n');
    assert.equal(testDependencyList(d)?.regenerate, 'add it where requirements-test.txt is compiled from and recompile it');
    assert.equal(parseRequirementsFile('pytest\n').compiledFrom, null);
  });

  test('a compiled file is replaced by its .in source, which then needs a recompile', async () => {
    const d = await read({
      'requirements-test.in': 'pytest>=8\n',
      'requirements-test.txt': COMPILED.replace('pyproject.toml --extra test', 'requirements-test.in'),
      'tox.ini': '[testenv]\ndeps =\n    -r requirements-test.txt\n',
    });
    const lists = testDependencyLists(d);
    assert.deepEqual(
      lists.map((l) => [l.group, l.regenerate]),
      [['requirements-test.in', 'recompile requirements-test.txt (it is compiled from requirements-test.in)']],
    );
  });

  test('independent lists holding pytest are all chosen; one that pulls another in with -r is not', async () => {
    const d = await read({
      'requirements-ci.txt': 'pytest==8.3.4\n',
      'requirements-dev.txt': '-r requirements-ci.txt\npytest==8.3.4\nmypy\n',
      'requirements-win.txt': 'pytest==8.3.4\n',
    });
    assert.deepEqual(
      testDependencyLists(d).map((l) => [l.group, l.regenerate]),
      [
        ['requirements-ci.txt', undefined],
        ['requirements-win.txt', undefined],
      ],
    );
    const groups = await read({
      'pyproject.toml': '[dependency-groups]\ntest = ["pytest"]\ndev = [{ include-group = "test" }, "pytest", "mypy"]\n',
    });
    assert.deepEqual(
      testDependencyLists(groups).map((l) => l.group),
      ['[dependency-groups] test'],
    );
  });

  test('uv.lock and poetry.lock pin the pyproject lists they cover', async () => {
    let d = await read({ 'pyproject.toml': '[dependency-groups]\ntest = ["pytest"]\n', 'uv.lock': 'version = 1\n' });
    assert.equal(testDependencyList(d)?.regenerate, 'run `uv lock` (uv.lock pins [dependency-groups] test)');
    d = await read({ 'pyproject.toml': "[tool.poetry.group.test.dependencies]\npytest = '^8'\n", 'poetry.lock': '' });
    assert.equal(testDependencyList(d)?.regenerate, 'run `poetry lock` (poetry.lock pins [tool.poetry.group.test.dependencies])');
    d = await read({ 'pyproject.toml': '[dependency-groups]\ntest = ["pytest"]\n' });
    assert.equal(testDependencyList(d)?.regenerate, undefined);
  });
});
