/**
 * The project's own pytest plugins beyond conftest.py: a `pytest11` entry point the project declares
 * (pyproject `[project.entry-points.pytest11]`, setup.cfg `[options.entry_points]`, a literal setup.py) is
 * loaded by pytest whenever the project is installed, so its module is read statically like a conftest and
 * the flags, ini keys and marks it registers are known.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../src/index.js';
import { readProjectDependencies } from '../src/formats/dependencies.js';
import { readPluginModule } from '../src/formats/python-static.js';
import { shellCommands } from '../src/formats/shell.js';
import { pytestRunOf, readPytestArgs } from '../src/runners/ci/command-line.js';
import { loadPytestConfig } from '../src/runners/pytest/config.js';
import { valuesTaken } from '../src/runners/pytest/schema-types.js';
import type { PluginRecord } from '../src/runners/pytest/plugin-record.js';
import { withPluginRecords } from '../src/runners/pytest/plugins.js';
import type { PytestProject } from '../src/runners/pytest/project.js';
import { parseAddopts, usesPytestAsyncio, type PytestTarget } from '../src/runners/pytest/target.js';
import { onlyRule } from './support/cases.js';
import { writeTree } from './support/env.js';

const PLUGIN = `import pytest


def pytest_addoption(parser):
    group = parser.getgroup("myplug")
    group.addoption("--myplug-level", default="1", help="how much")
    parser.addini("myplug_mode", "fast or slow")


def pytest_configure(config):
    config.addinivalue_line("markers", "myplug: handled by myplug")
`;

const PROJECT = {
  'pytest.ini': '[pytest]\naddopts = --strict-markers --myplug-level 3\nmyplug_mode = fast\ntestpaths = tests\n',
  'src/myplug/__init__.py': '',
  'src/myplug/plugin.py': PLUGIN,
  'tests/test_it.py': 'import pytest\n\n\n@pytest.mark.myplug\ndef test_it():\n    pass\n',
};

const DECLARATIONS: Record<string, Record<string, string>> = {
  'pyproject [project.entry-points.pytest11]': {
    'pyproject.toml':
      '[project]\nname = "myplug"\ndependencies = ["pytest>=8"]\n\n[project.entry-points.pytest11]\nmyplug = "myplug.plugin"\n',
  },
  'Poetry [tool.poetry.plugins."pytest11"], inline': {
    'pyproject.toml':
      '[tool.poetry]\nname = "myplug"\n\n[tool.poetry.dependencies]\npytest = "^8"\n\n[tool.poetry.plugins]\npytest11 = { myplug = "myplug.plugin:main" }\n',
  },
  'setup.cfg [options.entry_points]': {
    'setup.cfg':
      '[metadata]\nname = myplug\n\n[options]\ninstall_requires =\n    pytest\n\n[options.entry_points]\npytest11 =\n    myplug = myplug.plugin\n',
  },
  "setup.py setupkw['entry_points'] = {...}, then setup(**setupkw)": {
    'setup.py':
      'from setuptools import setup\n\nsetupkw = {"name": "myplug"}\nsetupkw["entry_points"] = {\n    "pytest11": ["myplug = myplug.plugin"],\n}\nsetup(**setupkw)\n',
  },
  'setup.py entry_points literal': {
    'setup.py':
      'from setuptools import setup\n\nsetup(\n    name="myplug",\n    install_requires=["pytest"],\n    entry_points={"pytest11": ["myplug = myplug.plugin"]},\n)\n',
  },
};

const RULES = ['known-options', 'registered-markers'];

async function shown(files: Record<string, string>) {
  const dir = writeTree(files, 'netra-project-plugins-');
  const settings = onlyRule('known-options', { 'registered-markers': 'error' });
  const result = await check({ cwd: dir, paths: ['.'], rules: settings, toolConfig: false });
  assert.deepEqual(result.problems, []);
  return result.diagnostics.filter((d) => RULES.includes(d.rule)).map((d) => `${d.rule} ${d.messageId} ${d.line}`);
}

describe("a project's own pytest11 entry point is a local plugin", () => {
  for (const [name, declaration] of Object.entries(DECLARATIONS)) {
    test(`${name}: its module's flag, ini key and mark are known`, async () => {
      assert.deepEqual(await shown({ ...PROJECT, ...declaration }), []);
    });
  }

  test('without the entry point the same names are unknown (the module alone is not a plugin)', async () => {
    const found = await shown({ ...PROJECT, 'pyproject.toml': '[project]\nname = "myplug"\ndependencies = ["pytest>=8"]\n' });
    assert.deepEqual(found, ['known-options unknownFlag 2', 'known-options unknownKey 3', 'registered-markers unregistered 4']);
  });

  test('the dependencies reader records each entry point with its name, module and file', async () => {
    const files = (all: Record<string, string>) => ({ read: (p: string) => all[p.slice(p.lastIndexOf('/') + 1)] ?? null, list: () => [] });
    for (const [name, declaration] of Object.entries(DECLARATIONS)) {
      const deps = await readProjectDependencies(files(declaration), '/p');
      const file = Object.keys(declaration)[0]!;
      assert.deepEqual(deps.pytest11, [{ name: 'myplug', module: 'myplug.plugin', file }], name);
    }
  });
});

const MULTI = `def pytest_addoption(parser):
    parser.addoption("--targets", nargs="+", help="hosts to run against")
    parser.addoption("--pair", nargs=2)
    parser.addoption("--maybe", nargs="*")
    parser.addoption("--run-slow", action="store_true")
`;

describe('flags registered by conftest.py and local plugins give the arity to split addopts and command lines', () => {
  test('readPluginModule records nargs for several values', async () => {
    const reading = await readPluginModule(MULTI);
    assert.deepEqual(reading.flags, [
      { names: ['--targets'], value: 'required', nargs: '+' },
      { names: ['--pair'], value: 'required', nargs: 2 },
      { names: ['--maybe'], value: 'optional', nargs: '*' },
      { names: ['--run-slow'], value: 'none' },
    ]);
  });

  test('valuesTaken reads as argparse: + and * take every following non-option word, N takes N', () => {
    const words = ['a', 'b', '-x', 'c'];
    assert.equal(valuesTaken({ value: 'required', nargs: '+' }, words, 0), 2);
    assert.equal(valuesTaken({ value: 'optional', nargs: '*' }, ['-x'], 0), 0);
    assert.equal(valuesTaken({ value: 'required', nargs: 2 }, ['--pair', 'a', '-x', 'c'], 1), 2);
    assert.equal(valuesTaken({ value: 'required' }, words, 3), 1);
    assert.equal(valuesTaken({ value: 'optional' }, ['-x'], 0), 0);
    assert.equal(valuesTaken({ value: 'none' }, words, 0), 0);
  });

  test('addopts: the values of a conftest flag are not positional paths', () => {
    const config = loadPytestConfig('/p/pytest.ini', '[pytest]\naddopts = --targets a b --pair x y -q\n', false)!;
    const local = new Map([
      ['--targets', { value: 'required' as const, nargs: '+' as const }],
      ['--pair', { value: 'required' as const, nargs: 2 }],
    ]);
    const positional = (l?: typeof local) =>
      parseAddopts(config, l)!
        .tokens.filter((t) => t.flag === null)
        .map((t) => t.item.value);
    assert.deepEqual(positional(), ['a', 'b', 'x', 'y']);
    assert.deepEqual(positional(local), []);
    assert.deepEqual(
      parseAddopts(config, local)!.tokens.map((t) => [t.flag, t.value, t.valueCount]),
      [
        ['--targets', 'a', 2],
        ['--pair', 'x', 2],
        ['-q', undefined, undefined],
      ],
    );
  });

  test('command lines: readPytestArgs takes a flag with nargs=+ with all its values', () => {
    const words = shellCommands('pytest tests --targets a b')[0]!.words;
    const run = pytestRunOf(words)!;
    assert.deepEqual(
      readPytestArgs(run.args, new Map([['--targets', { value: 'required' as const, nargs: '+' as const }]])).paths.map((w) => w.value),
      ['tests'],
    );
  });

  test("single-test-root in a Makefile: a conftest flag's values are not roots, and a conftest switch does not hide one", async () => {
    const dir = writeTree(
      {
        'pytest.ini': '[pytest]\ntestpaths = tests\n',
        'conftest.py': MULTI,
        'tests/test_a.py': 'def test_a():\n    pass\n',
        'other/test_b.py': 'def test_b():\n    pass\n',
        Makefile: 'test:\n\tpytest tests --targets alpha beta\n\nslow:\n\tpytest --run-slow tests other\n',
      },
      'netra-local-arity-',
    );
    const result = await check({ cwd: dir, paths: ['.'], rules: onlyRule('single-test-root'), toolConfig: false });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.file.slice(dir.length + 1), d.line, d.data?.paths]),
      [['Makefile', 5, 'tests, other']],
    );
  });
});

test('the plugin registry records multi-value flags: `--csv-columns a b` (pytest-csv, nargs=+) is one option', () => {
  const run = pytestRunOf(shellCommands('pytest tests --csv-columns id name')[0]!.words)!;
  assert.deepEqual(
    readPytestArgs(run.args).paths.map((w) => w.value),
    ['tests'],
  );
  const metadata = pytestRunOf(shellCommands('pytest --metadata key value tests')[0]!.words)!;
  assert.deepEqual(
    readPytestArgs(metadata.args).paths.map((w) => w.value),
    ['tests'],
  );
});

describe("usesPytestAsyncio judges the text the run holds, through the run's reader and the dependencies reader", () => {
  const config = loadPytestConfig('/nowhere/pytest.ini', '[pytest]\ntestpaths = tests\n', false)!;
  const target = (files: Record<string, string>): PytestTarget => ({
    config,
    role: 'active',
    rootDir: '/nowhere',
    read: (p) => files[p.slice('/nowhere/'.length)] ?? null,
  });

  test('a dependency file the run holds (not on disk) names pytest-asyncio', () => {
    assert.equal(usesPytestAsyncio(target({ 'requirements-dev.txt': 'pytest\npytest-asyncio>=0.24\n' })), true);
    assert.equal(usesPytestAsyncio(target({ 'requirements-dev.txt': 'pytest\n' })), false);
  });

  test("the project's dependencies (declared above the rootdir, locked or installed) count", async () => {
    const deps = await readProjectDependencies(
      {
        read: (p) =>
          p === '/proj/uv.lock'
            ? '[[package]]\nname = "pytest-asyncio"\nversion = "1.2.0"\n'
            : p === '/proj/pyproject.toml'
              ? '[project]\nname = "x"\n'
              : null,
        list: () => [],
      },
      '/proj',
    );
    const project = { present: new Set(deps.locked.keys()) } as unknown as PytestProject;
    assert.equal(usesPytestAsyncio(target({}), project), true);
    assert.equal(usesPytestAsyncio(target({})), false);
  });
});

test('a project that is itself a registry plugin has it: the record vouches for names its module registers in code', async () => {
  const dir = writeTree(
    {
      'pyproject.toml': '[project]\nname = "pytest-myplug"\n\n[project.entry-points.pytest11]\nmyplug = "myplug.plugin"\n',
      'pytest.ini': '[pytest]\nMYPLUG_SETTINGS = x\ntestpaths = tests\n',
      'src/myplug/__init__.py': '',
      'src/myplug/plugin.py':
        'SETTINGS = "MYPLUG_SETTINGS"\n\n\ndef pytest_addoption(parser):\n    parser.addini(SETTINGS, "settings module")\n',
      'tests/test_it.py': 'def test_it():\n    pass\n',
    },
    'netra-own-plugin-',
  );
  const record: PluginRecord = {
    distribution: 'pytest-myplug',
    version: '1.0',
    entryPoints: [{ name: 'myplug', module: 'myplug.plugin' }],
    flags: [],
    keys: { MYPLUG_SETTINGS: 'string' },
    markers: [],
    source: 'test',
  };
  const result = await withPluginRecords([record], () =>
    check({ cwd: dir, paths: ['.'], rules: onlyRule('known-options'), toolConfig: false }),
  );
  assert.deepEqual(
    result.diagnostics.map((d) => `${d.messageId} ${d.line}`),
    [],
  );
});
