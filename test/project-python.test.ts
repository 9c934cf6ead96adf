/**
 * The project's Python decides what is valid Python: when the user names an interpreter (`--python`) or the
 * project keeps a `.venv/`, CPython's `ast.parse` runs there, so a PEP 701 f-string (`f"{d["k"]}"`, valid
 * from 3.12) in a 3.12 project is not a syntax error because the machine's python3 is older. An interpreter
 * that cannot be run falls back to the default python3, as before.
 *
 * The project's interpreter here is a stand-in script that answers as CPython 3.12 answers for these texts
 * (valid), so the test does not depend on which Python versions the machine has.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cpythonVerdict } from '../src/formats/cpython.js';
import { fix } from '../src/index.js';
import { onlyRule } from './support/cases.js';
import { tempDir, writeTree } from './support/env.js';

const PEP701 = 'd = {"k": 1}\nlabel = f"{d["k"]}"\n';
const defaultRejects = (() => {
  const r = spawnSync('python3', ['-c', `import ast; ast.parse(${JSON.stringify(PEP701)})`]);
  return r.status !== 0;
})();
const skip = defaultRejects ? false : 'the default python3 is 3.12 or newer: it accepts PEP 701 f-strings itself';

/**
 * A stand-in interpreter that answers `valid` for any text, as CPython 3.12 does for these: one text on
 * stdin (`-c` with the one-shot script), or many, each after a line with its length (the long-lived server
 * cpython.ts starts for a fix's verification).
 */
function python312(dir: string): string {
  const path = join(dir, 'python');
  writeFileSync(
    path,
    [
      '#!/usr/bin/env python3',
      'import sys',
      'inp = sys.stdin.buffer',
      'if "readline" not in sys.argv[-1]:',
      '    inp.read()',
      '    print(\'{"ok": true}\')',
      '    sys.exit(0)',
      'for header in iter(inp.readline, b""):',
      '    inp.read(int(header))',
      '    print(\'{"ok": true}\', flush=True)',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}

const CONFTEST = `import pytest_asyncio

LABELS = {"k": "db"}


@pytest_asyncio.fixture(scope="session")
async def db_pool():
    yield f"{LABELS["k"]}"
`;

const PROJECT = {
  'pytest.ini': '[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n',
  'tests/conftest.py': CONFTEST,
  'tests/test_db.py': 'async def test_db(db_pool):\n    assert db_pool\n',
};

async function fixed(dir: string, python?: string) {
  return fix({ cwd: dir, paths: ['.'], rules: onlyRule('async-fixture-scope'), toolConfig: false, unsafe: true, write: true, python });
}

describe("the project's interpreter decides whether Python is valid", { skip }, () => {
  test('cpythonVerdict asks the named interpreter; one that cannot run falls back to python3', () => {
    const bin = python312(tempDir('netra-py312-'));
    assert.deepEqual(cpythonVerdict(PEP701, bin), { ok: true });
    assert.equal(cpythonVerdict(PEP701)?.ok, false);
    assert.equal(cpythonVerdict(PEP701, '/no/such/python')?.ok, false);
  });

  test("without the project's interpreter, python3 3.11 rejects the file as read: it is never edited", async () => {
    const dir = writeTree(PROJECT, 'netra-py-default-');
    const result = await fixed(dir);
    assert.deepEqual(result.writtenFiles, []);
    assert.equal(readFileSync(join(dir, 'tests/conftest.py'), 'utf8'), CONFTEST);
    assert.match(result.problems.map((p) => p.message).join('\n'), /Python syntax error \(CPython: .*\); the file is never edited/);
  });

  test('a .venv/ in the project: its Python decides, and the fix is applied', async () => {
    const dir = writeTree(PROJECT, 'netra-py-venv-');
    mkdirSync(join(dir, '.venv', 'bin'), { recursive: true });
    writeFileSync(join(dir, '.venv', 'pyvenv.cfg'), 'home = /usr/bin\nversion = 3.12.0\n');
    python312(join(dir, '.venv', 'bin'));
    const result = await fixed(dir);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(
      result.writtenFiles.map((f) => f.slice(dir.length + 1)),
      ['tests/conftest.py'],
    );
    assert.match(readFileSync(join(dir, 'tests/conftest.py'), 'utf8'), /^@pytest_asyncio\.fixture\nasync def db_pool/m);
  });
});
