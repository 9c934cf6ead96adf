/**
 * The structural fix matrix: every combination of the rules whose fixes create, rename or fill a pytest
 * section, on every shape a pytest config can have (no section, a section pytest ignores, either TOML
 * table, a table defined by dotted keys or an inline table). Each run must converge before the pass limit,
 * leave nothing fixable behind, and leave files that pytest itself reads (its own
 * `load_config_dict_from_file`); a sample runs real pytest --strict-config on the fixed project.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fix, type RuleSettings } from '../src/index.js';
import { MAX_FIX_PASSES } from '../src/core/fixer.js';
import { allRules } from '../src/rules.js';
import { pythonAvailable, runPython, writeTree } from './support/env.js';

const STRUCTURAL = ['known-options', 'require-timeout', 'require-memory-limit', 'require-strict-config'];
/** The real-pytest sample also appends to addopts (require-fail-fast), the value the other fixes fill too. */
const SAMPLE_RULES = [...STRUCTURAL, 'require-fail-fast'];
const SAMPLE_SHAPES = new Set([
  'pytest.ini, only [tool:pytest]',
  'setup.cfg, only [pytest]',
  'tox.ini, only [tool:pytest]',
  'pytest.toml, empty',
  'pyproject.toml, [tool.pytest]',
  'pyproject.toml, [tool.pytest] with dotted ini_options',
  'pyproject.toml, empty inline ini_options',
  'pyproject.toml, [tool.pytest] addopts two items to a line',
]);

const TEST_MODULE = 'def test_one():\n    assert True\n';

/** Config shapes: file name, text, and whether pytest reads this file as the config once fixed with --unsafe. */
const SHAPES: Record<string, { file: string; text: string }> = {
  'pytest.ini, empty': { file: 'pytest.ini', text: '' },
  'pytest.ini, only [tool:pytest]': { file: 'pytest.ini', text: '[tool:pytest]\ntestpaths = tests\n' },
  'pytest.ini, [tool:pytest] and [pytest]': {
    file: 'pytest.ini',
    text: '[tool:pytest]\nxfail_strict = true\n\n[pytest]\ntestpaths = tests\n',
  },
  'tox.ini, only [tool:pytest]': { file: 'tox.ini', text: '[tox]\nenvlist = py311\n\n[tool:pytest]\ntestpaths = tests\n' },
  'tox.ini, [pytest]': { file: 'tox.ini', text: '[tox]\nenvlist = py311\n\n[pytest]\ntestpaths = tests\n' },
  'setup.cfg, only [pytest]': { file: 'setup.cfg', text: '[metadata]\nname = x\n\n[pytest]\ntestpaths = tests\n' },
  'setup.cfg, [tool:pytest]': { file: 'setup.cfg', text: '[metadata]\nname = x\n\n[tool:pytest]\ntestpaths = tests\n' },
  'setup.cfg, empty [tool:pytest]': { file: 'setup.cfg', text: '[tool:pytest]\n' },
  'pytest.toml, empty': { file: 'pytest.toml', text: '' },
  'pyproject.toml, [tool.pytest]': { file: 'pyproject.toml', text: '[project]\nname = "x"\n\n[tool.pytest]\ntestpaths = ["tests"]\n' },
  'pyproject.toml, [tool.pytest] addopts two items to a line': {
    file: 'pyproject.toml',
    text: '[tool.pytest]\naddopts = [\n  "-ra",\n  "-p", "no:cacheprovider",\n]\ntestpaths = ["tests"]\n',
  },
  'pyproject.toml, [tool.pytest.ini_options]': {
    file: 'pyproject.toml',
    text: '[project]\nname = "x"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n\n[tool.other]\nx = 1\n',
  },
  'pyproject.toml, empty [tool.pytest.ini_options]': { file: 'pyproject.toml', text: '[tool.pytest.ini_options]\n' },
  'pyproject.toml, [tool.pytest] with dotted ini_options': {
    file: 'pyproject.toml',
    text: '[project]\nname = "x"\n\n[tool.pytest]\nini_options.testpaths = ["tests"]\nini_options.xfail_strict = true\n\n[tool.other]\nx = 1\n',
  },
  'pyproject.toml, inline ini_options': { file: 'pyproject.toml', text: '[tool.pytest]\nini_options = { testpaths = ["tests"] }\n' },
  'pyproject.toml, empty inline ini_options': { file: 'pyproject.toml', text: '[tool.pytest]\nini_options = {}\n' },
  'pyproject.toml, top-level dotted keys': {
    file: 'pyproject.toml',
    text: 'tool.pytest.ini_options.testpaths = ["tests"]\n\n[project]\nname = "x"\n',
  },
};

function subsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) out.push(items.filter((_, i) => mask & (1 << i)));
  return out;
}

function only(rules: readonly string[]): RuleSettings {
  const settings: RuleSettings = {};
  for (const r of allRules) settings[r.meta.id] = rules.includes(r.meta.id) ? 'error' : 'off';
  return settings;
}

/** pytest's own reading of each config file (`load_config_dict_from_file`), or the error it raises. */
const READ_AS_PYTEST = `
import json, sys
from pathlib import Path
from _pytest.config.findpaths import load_config_dict_from_file
out = []
for path in json.load(sys.stdin):
    try:
        d = load_config_dict_from_file(Path(path))
        out.append({"ok": True, "keys": sorted(d) if d is not None else None})
    except BaseException as e:
        out.append({"ok": False, "error": f"{type(e).__name__}: {e}"})
print(json.dumps(out))
`;

test(
  'structural fixes converge on every config shape and rule combination, and pytest reads the result',
  { skip: pythonAvailable() },
  async () => {
    const combos = subsets(STRUCTURAL);
    const fixed: { label: string; path: string }[] = [];
    const dirs: string[] = [];
    for (const [shape, { file, text }] of Object.entries(SHAPES)) {
      for (const rules of combos) {
        for (const mode of ['safe', 'unsafe', 'safe, then unsafe'] as const) {
          const label = `${shape} | ${rules.join('+')} | ${mode}`;
          const dir = writeTree({ [file]: text, 'tests/test_one.py': TEST_MODULE });
          dirs.push(dir);
          const settings = only(rules);
          const steps = mode === 'safe' ? [false] : mode === 'unsafe' ? [true] : [false, true];
          for (const unsafe of steps) {
            const result = await fix({ cwd: dir, paths: ['.'], rules: settings, write: true, unsafe, toolConfig: false });
            assert.deepEqual(result.problems, [], `${label}: ${JSON.stringify(result.problems)}`);
            assert.ok(result.passes < MAX_FIX_PASSES, `${label}: did not converge in ${result.passes} passes`);
            // Converged: nothing the same run could still fix.
            const left = result.diagnostics.filter((d) => d.fix && (unsafe || d.fix.applicability === 'safe'));
            assert.deepEqual(
              left.map((d) => `${d.rule}: ${d.message}`),
              [],
              `${label}: fixes left after the run`,
            );
          }
          fixed.push({ label, path: join(dir, file) });
        }
      }
    }
    const read = runPython(['-c', READ_AS_PYTEST], { input: JSON.stringify(fixed.map((f) => f.path)) });
    assert.equal(read.code, 0, read.stderr);
    const readings = JSON.parse(read.stdout) as { ok: boolean; keys?: string[] | null; error?: string }[];
    const broken = readings.flatMap((r, i) => {
      // setup.cfg with a plain [pytest] is refused by pytest before and after a run without the unsafe rename.
      const refusedBefore =
        fixed[i]!.label.startsWith('setup.cfg, only [pytest]') &&
        !(fixed[i]!.label.includes('known-options') && fixed[i]!.label.includes('unsafe'));
      return r.ok || refusedBefore ? [] : [`${fixed[i]!.label}: ${r.error}`];
    });
    assert.deepEqual(broken, []);
    // The rename makes pytest read the section the user wrote: its testpaths now apply.
    const renamed = fixed.findIndex(
      (f) =>
        f.label === 'pytest.ini, only [tool:pytest] | known-options+require-timeout+require-memory-limit+require-strict-config | unsafe',
    );
    assert.deepEqual(readings[renamed]!.keys, [
      'addopts',
      'collection_memory_limit_mb',
      'memory_limit_mb',
      'required_plugins',
      'testpaths',
      'timeout',
    ]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  },
);

test(
  'real pytest --strict-config runs a sample of shapes fixed with all structural rules and --unsafe',
  { skip: pythonAvailable() },
  async () => {
    for (const [shape, { file, text }] of Object.entries(SHAPES)) {
      if (!SAMPLE_SHAPES.has(shape)) continue;
      const dir = writeTree({ [file]: text, 'tests/test_one.py': TEST_MODULE });
      const result = await fix({ cwd: dir, paths: ['.'], rules: only(SAMPLE_RULES), write: true, unsafe: true, toolConfig: false });
      assert.deepEqual(result.problems, [], shape);
      const run = runPython(['-m', 'pytest', '--strict-config', '-q', '-p', 'no:cacheprovider'], { cwd: dir });
      assert.equal(run.code, 0, `${shape}\n${readFileSync(join(dir, file), 'utf8')}\n${run.stdout}${run.stderr}`);
      assert.match(run.stdout, /1 passed/, shape);
      // Beside the test root's conftest.py when the shape names one (testpaths = tests).
      if (existsSync(join(dir, 'tests', 'pytest_memory_plugin.py')))
        assert.match(run.stdout + run.stderr, /\[MEMORY\]/, `${shape}: the monitor loaded`);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
