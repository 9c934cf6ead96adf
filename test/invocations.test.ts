/**
 * pytest command lines outside configs: which simple command runs pytest (through wrappers and containers),
 * which words are test paths (flag arity from the generated registries, decided against real pytest), and
 * the places that hold them (tox, nox, Makefiles, scripts/*.sh).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { shellCommands } from '../src/formats/shell.js';
import { flagArity, pytestRunOf, readPytestArgs } from '../src/runners/ci/command-line.js';
import { makeSites, noxSites, pyprojectToxSites, toxIniSites } from '../src/runners/ci/sites.js';
import { pythonAvailable, runPython, writeTree } from './support/env.js';

const runOf = (line: string) => pytestRunOf(shellCommands(line)[0]!.words);
const pathsOf = (line: string) => {
  const run = runOf(line);
  return run ? readPytestArgs(run.args).paths.map((w) => w.value) : null;
};

describe('which command runs pytest', () => {
  test('pytest directly, as a module and through project runners', () => {
    for (const line of [
      'pytest tests',
      'python -m pytest tests',
      'python3.12 -X dev -m pytest tests',
      '.venv/bin/pytest tests',
      'uv run pytest tests',
      'uv run --with pytest-xdist --extra test pytest tests',
      'poetry run pytest tests',
      'pdm run pytest tests',
      'hatch run test:pytest tests',
      'coverage run --source src -m pytest tests',
      "python -W error -W 'ignore:a; b' -m coverage run -m pytest tests",
      'CI=1 env PYTHONPATH=. timeout 600 xvfb-run -a pytest tests',
      'taskset -c 0 python3 -m py.test tests',
      'env -i PATH=/usr/bin nice -n 5 timeout -s KILL 600 pytest tests',
      'docker compose -f ci.yml run --rm -e A=1 django pytest tests',
      'docker-compose exec -T web python -m pytest tests',
      'docker run --rm -v $PWD:/app -w /app python:3.12 pytest tests',
    ]) {
      assert.deepEqual(pathsOf(line), ['tests'], line);
    }
  });

  test('commands that only mention pytest run something else', () => {
    for (const line of [
      'pip install pytest pytest-cov',
      'python -m pip install pytest pytest-xdist',
      'uv pip install pytest',
      'echo pytest tests other',
      'python -c "import pytest"',
      'tox -e py312',
      'nox -s tests',
      'poetry add --group dev pytest pytest-cov',
    ]) {
      assert.equal(runOf(line), null, line);
    }
  });

  test('the container a run happens in, with the Compose files and -e names given', () => {
    const run = runOf('docker compose -f compose.ci.yml run --rm -e PYTEST_MEMORY_LIMIT_MB=900 django pytest');
    assert.equal(run?.container?.kind, 'compose run');
    assert.equal(run?.container?.target, 'django');
    assert.deepEqual(run?.container?.composeFiles, ['compose.ci.yml']);
    assert.deepEqual([...run.container.envNames], ['PYTEST_MEMORY_LIMIT_MB']);
    assert.equal(run?.container?.verb.value, 'run');
    assert.equal(runOf('pytest tests')?.container, null);
  });

  test('shell scripts split where the shell splits them', () => {
    const commands = shellCommands(
      'set -e; if pytest tests \\\n  other; then echo "a; b" && python -m pytest -k "x or y" t # pytest c d\nfi',
    );
    assert.deepEqual(
      commands.map((c) => c.words.map((w) => w.value)),
      [['set', '-e'], ['pytest', 'tests', 'other'], ['echo', 'a; b'], ['python', '-m', 'pytest', '-k', 'x or y', 't'], ['fi']],
    );
    assert.equal(shellCommands('pytest $TESTS')[0]!.words[1]!.dynamic, true);
    assert.equal(shellCommands('pytest "$(ls tests)"')[0]!.words[1]!.dynamic, true);
    assert.equal(shellCommands('pytest tests/test_*.py')[0]!.words[1]!.glob, true);
  });
});

describe('flag arity comes from the generated registries', () => {
  test('values are not paths', () => {
    assert.equal(flagArity('--log-level')?.value, 'required');
    assert.equal(flagArity('--cov-report')?.value, 'required');
    assert.equal(flagArity('--cov')?.value, 'optional');
    assert.equal(flagArity('-x')?.value, 'none');
    assert.deepEqual(pathsOf('pytest --log-level DEBUG tests'), ['tests']);
    assert.deepEqual(pathsOf('pytest --cov-report term-missing tests'), ['tests']);
    assert.deepEqual(pathsOf('pytest --cov src --cov-report=xml -n 4 -p no:cacheprovider tests'), ['tests']);
    assert.deepEqual(pathsOf('pytest -xk "slow or db" -n4 -rA tests/a.py::test_x'), ['tests/a.py::test_x']);
    assert.deepEqual(pathsOf('pytest --cov -x tests'), ['tests']);
    assert.deepEqual(pathsOf('pytest -- -weird tests'), ['-weird', 'tests']);
  });

  test('a flag no registry knows makes the next word ambiguous, never a path', () => {
    const run = runOf('pytest --no-such-flag value tests --other=x more');
    const args = readPytestArgs(run!.args);
    assert.deepEqual(
      args.paths.map((w) => w.value),
      ['tests', 'more'],
    );
    assert.deepEqual(
      args.ambiguous.map((w) => w.value),
      ['value'],
    );
  });

  test('-c, --rootdir, -o testpaths= and --pyargs are read', () => {
    const args = readPytestArgs(runOf('pytest -c ci/pytest.ini -p xdist tests')!.args);
    assert.equal(args.configFile, 'ci/pytest.ini');
    assert.deepEqual(args.plugins, ['xdist']);
    assert.equal(readPytestArgs(runOf('pytest --rootdir=. a b')!.args).ownSelection, true);
    assert.equal(readPytestArgs(runOf('pytest -o testpaths=a a b')!.args).ownSelection, true);
    assert.equal(readPytestArgs(runOf('pytest --pyargs pkg.a pkg.b')!.args).ownSelection, true);
  });

  // Real pytest decides: in a project whose directories are named like the values (DEBUG, term-missing,
  // src), the tests pytest collects come from exactly the directories the reader calls paths.
  test('real pytest collects from the words the reader calls paths, and only those', { skip: pythonAvailable() }, () => {
    const tree: Record<string, string> = { 'pytest.ini': '[pytest]\ntestpaths = tests\n' };
    for (const dir of ['tests', 'other', 'DEBUG', 'term-missing', 'src', 'slow'])
      tree[`${dir}/test_${dir.replace('-', '_')}.py`] = 'def test_it():\n    pass\n';
    const project = writeTree(tree, 'netra-arity-');
    const lines = [
      'pytest --log-level DEBUG other',
      'pytest --cov-report term-missing other',
      'pytest --cov src other',
      'pytest --cov src',
      'pytest -n 0 -k test_it other',
      'pytest -xk test_it other',
      'pytest -p no:cacheprovider -rA other tests',
      'pytest --durations 5 --timeout 30 --asyncio-mode auto other',
      'pytest --deselect other/test_other.py::test_x --ignore src tests',
    ];
    const argvs = lines.map((line) => runOf(line)!.args.map((w) => w.value));
    // One interpreter for every command line: pytest.main with a plugin that records what was collected.
    const script = [
      'import json, sys, pytest',
      'class Record:',
      '    ids = []',
      '    def pytest_collection_finish(self, session):',
      '        self.ids = [item.nodeid for item in session.items]',
      'out = []',
      'for args in json.load(sys.stdin):',
      '    record = Record()',
      "    code = pytest.main(['--co', '-q', '-p', 'no:cacheprovider', *args], plugins=[record])",
      '    out.append([int(code), record.ids])',
      "print('@@' + json.dumps(out))",
    ].join('\n');
    const r = runPython(['-c', script], { cwd: project, input: JSON.stringify(argvs) });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const results = JSON.parse(
      r.stdout
        .split('\n')
        .find((l) => l.startsWith('@@'))!
        .slice(2),
    ) as [number, string[]][];
    lines.forEach((line, i) => {
      const said = readPytestArgs(runOf(line)!.args).paths.map((w) => w.value.split('/')[0]!);
      const [code, ids] = results[i]!;
      assert.equal(code, 0, line);
      assert.deepEqual(
        [...new Set(ids.map((id) => id.split('/')[0]!))].sort(),
        [...new Set(said.length > 0 ? said : ['tests'])].sort(),
        line,
      );
    });
  });
});

describe('places that run pytest', () => {
  test('tox.ini: posargs defaults, factor prefixes, continuations, changedir', () => {
    const sites = toxIniSites(
      '/p/tox.ini',
      '[testenv]\nchangedir = {toxinidir}/sub\ncommands =\n    py312: pytest --cov-report term-missing \\\n      {posargs:tests other}\n    - ruff check .\n[testenv:x]\ncommands = {[testenv]commands}\n',
    );
    assert.deepEqual(
      sites.map((s) => s.name),
      ['tox [testenv]', 'tox [testenv:x]'],
    );
    assert.deepEqual(
      sites[0]!.commands.map((c) => c.words.map((w) => w.value)),
      [
        ['pytest', '--cov-report', 'term-missing', 'tests', 'other'],
        ['ruff', 'check', '.'],
      ],
    );
    assert.equal(sites[0]!.commands[0]!.cwd, '/p/sub');
    assert.deepEqual(
      sites[1]!.commands[0]!.words.map((w) => w.value),
      ['pytest', '--cov-report', 'term-missing', 'tests', 'other'],
    );
  });

  test('pyproject [tool.tox]: native commands and legacy_tox_ini', () => {
    const native = pyprojectToxSites(
      '/p/pyproject.toml',
      '[tool.tox.env.unit]\ncommands = [["pytest", "-x", { replace = "posargs", default = ["tests"], extend = true }]]\n',
    );
    assert.deepEqual(
      native[0]!.commands[0]!.words.map((w) => w.value),
      ['pytest', '-x', 'tests'],
    );
    assert.equal(native[0]!.name, 'tox [tool.tox.env.unit]');
    const legacy = pyprojectToxSites('/p/pyproject.toml', '[tool.tox]\nlegacy_tox_ini = """\n[testenv]\ncommands = pytest a b\n"""\n');
    assert.deepEqual(
      legacy[0]!.commands[0]!.words.map((w) => w.value),
      ['pytest', 'a', 'b'],
    );
  });

  test('noxfile.py: literal arguments, *session.posargs dropped, other expressions unknown', async () => {
    const sites = await noxSites(
      '/p/noxfile.py',
      'import nox\n\n@nox.session\ndef tests(session):\n    session.run("pytest", "-n", "4", "tests", *session.posargs)\n    session.run("pytest", TESTS)\n',
    );
    assert.deepEqual(
      sites.map((s) => s.name),
      ['nox session tests', 'nox session tests'],
    );
    assert.deepEqual(
      sites[0]!.commands[0]!.words.map((w) => w.value),
      ['pytest', '-n', '4', 'tests'],
    );
    assert.equal(sites[1]!.commands[0]!.words[1]!.dynamic, true);
  });

  test("Makefile: recipes with prefixes, continuations and the file's own variables; CRLF kept out of words", () => {
    const sites = makeSites(
      '/p/Makefile',
      'PY := python\r\nARGS = -x\r\n\r\ntest: deps\r\n\t@$(PY) -m pytest $(ARGS) tests \\\r\n\t\tother\r\n\techo $$HOME\r\n',
    );
    assert.deepEqual(
      sites.map((s) => s.name),
      ['make test', 'make test'],
    );
    assert.deepEqual(
      sites[0]!.commands[0]!.words.map((w) => w.value),
      ['python', '-m', 'pytest', '-x', 'tests', 'other'],
    );
    assert.equal(sites[1]!.commands[0]!.words[1]!.dynamic, true);
  });

  test('every file kind is found where the analyzer looks', async () => {
    const { invocationKind } = await import('../src/runners/ci/ci.js');
    const kinds = [
      '.github/workflows/ci.yml',
      '.gitlab-ci.yml',
      'tox.ini',
      'pyproject.toml',
      'noxfile.py',
      'Makefile',
      'GNUmakefile',
      'scripts/test.sh',
      'README.md',
      'src/Makefile.am',
      'tools/x.sh',
    ].map((f) => [f, invocationKind(join('/p', f))]);
    assert.deepEqual(kinds, [
      ['.github/workflows/ci.yml', 'github'],
      ['.gitlab-ci.yml', 'gitlab'],
      ['tox.ini', 'tox'],
      ['pyproject.toml', 'pyproject-tox'],
      ['noxfile.py', 'nox'],
      ['Makefile', 'make'],
      ['GNUmakefile', 'make'],
      ['scripts/test.sh', 'script'],
      ['README.md', null],
      ['src/Makefile.am', null],
      ['tools/x.sh', null],
    ]);
  });
});

describe('CI memory limits where pytest runs', () => {
  const workflow = (run: string, env = '') =>
    `on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${run}\n${env}`;
  const ciFindings = async (tree: Record<string, string>) => {
    const { check } = await import('../src/index.js');
    const { onlyRule } = await import('./support/cases.js');
    const dir = writeTree(tree, 'netra-ci-limits-');
    const result = await check({ cwd: dir, paths: ['.'], rules: onlyRule('require-memory-limit'), toolConfig: false });
    return result.diagnostics.filter((d) => d.file.includes('.github')).map((d) => d.message);
  };

  test('no variables where the governing config sets the keys (the environment would override them)', async () => {
    const config = '[pytest]\ntestpaths = tests\nmemory_limit_mb = 2000\ncollection_memory_limit_mb = 1000\n';
    assert.deepEqual(await ciFindings({ 'pytest.ini': config, '.github/workflows/ci.yml': workflow('pytest tests') }), []);
    const partial = await ciFindings({
      'pytest.ini': '[pytest]\nmemory_limit_mb = 2000\n',
      '.github/workflows/ci.yml': workflow('pytest tests'),
    });
    assert.equal(partial.length, 1);
    assert.match(partial[0]!, /without PYTEST_COLLECTION_LIMIT_MB in its env/);
  });

  test('a container whose Compose service sets the variables, or may through env_file, needs nothing', async () => {
    const compose = 'services:\n  app:\n    build: .\n    env_file: .env.test\n  web:\n    build: .\n';
    const findings = await ciFindings({
      'compose.yaml': compose,
      '.github/workflows/ci.yml': `on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker compose run app pytest\n      - run: docker compose -f compose.yaml exec -e PYTEST_MEMORY_LIMIT_MB=900 web pytest\n`,
    });
    assert.deepEqual(findings, [
      "`test / step 2` runs pytest inside a container (`docker compose exec web`), which does not see the env of the job: PYTEST_COLLECTION_LIMIT_MB must be passed with `-e` or set in the container's environment",
    ]);
  });
});
