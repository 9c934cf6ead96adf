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
