/**
 * Issue 24, Done when: a generated matrix. Synthetic projects, made here by a hand-written generator (no
 * real repository's files), with two environments (tox envs or GitHub jobs) that differ in plugins
 * (pytest-asyncio, pytest-timeout present or not), with or without a strict config, with or without a hatch
 * sdist that ships only /src and /tests. After `fix --write`, real pytest (one venv per environment,
 * test/support/venvs.ts) starts in every environment, and in the unpacked sdist, and collects the same
 * node ids as before.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonAvailable, runCli, tempDir, writeTree } from './support/env.js';
import { pytestIn, venvWith } from './support/venvs.js';

type Plugin = 'pytest-asyncio' | 'pytest-timeout';

interface Combination {
  kind: 'tox' | 'github';
  /** What each of the two environments installs besides pytest. */
  envs: { name: string; plugins: Plugin[] }[];
  strict: 'none' | 'strict-config' | 'filterwarnings-error';
  sdist: boolean;
  /** The project declares pytest-timeout in its `test` extra (which no environment here installs from). */
  declared: boolean;
}

/** The environments' installs, as the tox file or the workflow writes them. */
function environmentFiles(c: Combination): Record<string, string> {
  if (c.kind === 'tox') {
    const sections = c.envs.map(
      (e, i) =>
        `[testenv${i === 0 ? '' : `:${e.name}`}]\nskip_install = true\ndeps =\n${['pytest', ...e.plugins].map((d) => `    ${d}`).join('\n')}\ncommands = pytest {posargs}\n`,
    );
    return { 'tox.ini': `[tox]\nenvlist = ${c.envs.map((e, i) => (i === 0 ? 'py' : e.name)).join(', ')}\n\n${sections.join('\n')}` };
  }
  const jobs = c.envs.map(
    (e) =>
      `  ${e.name}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install ${['pytest', ...e.plugins].join(' ')}\n      - run: pytest\n`,
  );
  return { '.github/workflows/ci.yml': `on: push\njobs:\n${jobs.join('')}` };
}

/** A project for one combination: a package under src/, sync and async tests, the config in pyproject.toml. */
function generate(c: Combination): Record<string, string> {
  const ini = ['testpaths = ["tests"]'];
  if (c.strict === 'strict-config') ini.push('addopts = "--strict-config --strict-markers"');
  if (c.strict === 'filterwarnings-error') ini.push('filterwarnings = ["error"]');
  const extra = c.declared ? '\n[project.optional-dependencies]\ntest = ["pytest", "pytest-timeout"]\n' : '';
  const sdist = c.sdist ? '\n[tool.hatch.build.targets.sdist]\ninclude = ["/src", "/tests"]\n' : '';
  return {
    'pyproject.toml': `[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "gen"\nversion = "0"\n${extra}${sdist}\n[tool.pytest.ini_options]\n${ini.join('\n')}\n`,
    'src/gen/__init__.py': 'def add(a, b):\n    return a + b\n',
    'tests/conftest.py': 'import sys, pathlib\nsys.path.insert(0, str(pathlib.Path(__file__).parent.parent / "src"))\n',
    'tests/test_sync.py': 'from gen import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n',
    'tests/test_async.py':
      'import pytest\npytest.importorskip("pytest_asyncio")\n\n\n@pytest.mark.asyncio\nasync def test_async():\n    pass\n',
    ...environmentFiles(c),
  };
}

/** A handful of combinations, each dimension taking every value at least once. */
function combinations(): Combination[] {
  const envSets: Combination['envs'][] = [
    [
      { name: 'plain', plugins: [] },
      { name: 'full', plugins: ['pytest-asyncio', 'pytest-timeout'] },
    ],
    [
      { name: 'asyncio', plugins: ['pytest-asyncio'] },
      { name: 'timeout', plugins: ['pytest-timeout'] },
    ],
    [
      { name: 'full', plugins: ['pytest-asyncio', 'pytest-timeout'] },
      { name: 'plain', plugins: [] },
    ],
  ];
  const stricts: Combination['strict'][] = ['none', 'strict-config', 'filterwarnings-error'];
  const out: Combination[] = [];
  for (let i = 0; i < 6; i++)
    out.push({
      kind: i % 2 === 0 ? 'tox' : 'github',
      envs: envSets[i % 3]!,
      strict: stricts[(i + Math.floor(i / 3)) % 3]!,
      sdist: i % 3 !== 1,
      declared: i % 2 === 1,
    });
  return out;
}

const key = (plugins: Plugin[]) => ['pytest', ...[...plugins].sort()].join('+');

/** The node ids a `--co -q` run lists, and its exit code. */
function collected(python: string, dir: string) {
  const r = pytestIn(python, dir, ['--co', '-q']);
  return { code: r.code, ids: r.out.split('\n').filter((l) => l.includes('::')), out: r.out };
}

/** What a hatch sdist with `include` holds: those paths and pyproject.toml, in a fresh directory. */
function unpackSdist(dir: string, include: string[]): string {
  const out = tempDir('netra-sdist-');
  for (const p of [...include, 'pyproject.toml']) if (existsSync(join(dir, p))) cpSync(join(dir, p), join(out, p), { recursive: true });
  return out;
}

describe(
  'generated matrix: after fix --write, pytest starts in every environment and collects the same tests',
  { skip: pythonAvailable() },
  () => {
    const venvs = new Map<string, string>();
    before(() => {
      const root = tempDir('netra-matrix-venvs-');
      for (const plugins of [[], ['pytest-asyncio'], ['pytest-timeout'], ['pytest-asyncio', 'pytest-timeout']] as Plugin[][])
        venvs.set(key(plugins), venvWith(join(root, key(plugins)), ['pytest', ...plugins]));
    });

    for (const c of combinations()) {
      const name = `${c.kind}: ${c.envs.map((e) => `${e.name}[${e.plugins.join(',') || 'pytest only'}]`).join(' + ')}, strict ${c.strict}, ${c.sdist ? 'hatch sdist of /src and /tests' : 'no sdist include'}${c.declared ? ', pytest-timeout declared' : ''}`;
      test(name, () => {
        const dir = writeTree(generate(c));
        const pythons = c.envs.map((e) => ({ name: e.name, python: venvs.get(key(e.plugins))! }));
        const full = venvs.get(key(['pytest-asyncio', 'pytest-timeout']))!;
        const runs = () => [
          ...pythons.map((p) => ({ name: p.name, ...collected(p.python, dir) })),
          ...(c.sdist ? [{ name: 'sdist', ...collected(full, unpackSdist(dir, ['src', 'tests'])) }] : []),
        ];
        const beforeFix = runs();
        for (const r of beforeFix) {
          assert.equal(r.code, 0, `${r.name} before: ${r.out}`);
          assert.ok(r.ids.length > 0, `${r.name} collects nothing before: ${r.out}`);
        }
        const fixed = runCli(['fix', '--write', '.'], dir);
        assert.ok(fixed.code === 0 || fixed.code === 1, fixed.stderr);
        assert.notEqual(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), generate(c)['pyproject.toml'], 'fix --write changed the config');
        const afterFix = runs();
        for (const [i, r] of afterFix.entries()) {
          assert.equal(r.code, 0, `${r.name} after fix --write: ${r.out}\n${fixed.stdout}`);
          assert.deepEqual(r.ids, beforeFix[i]!.ids, `${r.name}: the same node ids`);
        }
      });
    }
  },
);
