/**
 * Differential test of "is this Python?" against CPython's `ast.parse` (the oracle, run here in one batch of
 * its own): valid Python is never broken input, and Python CPython rejects is never edited (the verify gate
 * refuses a change to it). Files: every .py in the shared corpus, the project's fixtures, the Python standard
 * library's top-level modules and lib2to3's Python 2 grammar samples, plus generated cases.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePython } from '../src/formats/python.js';
import { Workspace } from '../src/core/workspace.js';
import { pytestAnalyzer } from '../src/runners/pytest/index.js';
import { CORPUS, ROOT, tempDir } from './support/env.js';

const python = spawnSync('python3', ['-c', 'import sys; print(sys.prefix, sys.version_info[0])'], { encoding: 'utf8' });
const noPython = python.status === 0 ? false : 'python3 not found: the CPython oracle cannot run';

function pyFiles(dir: string, depth: number, maxBytes = 100_000, out: string[] = []): string[] {
  if (!existsSync(dir) || depth < 0) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules' && e.name !== '__pycache__') pyFiles(p, depth - 1, maxBytes, out);
    else if (e.isFile() && e.name.endsWith('.py') && statSync(p).size < maxBytes) out.push(p);
  }
  return out;
}

/** Shapes where tree-sitter and CPython disagree, or where a parser might. */
function generated(): Record<string, string> {
  const cases: Record<string, string> = {
    'dedent_import.py': 'class T:\n    def f(self):\n        from os import (\n    path,\n)\n        return path\n',
    'dedent_call.py': 'def f():\n    x = g(\n1,\n  2)\n    return x\n',
    'dedent_list.py': 'if True:\n    data = [\n1, 2,\n]\n',
    'dedent_dict_in_method.py': 'class A:\n    def m(self):\n        return {\n"a": 1,\n        }\n',
    'py2_print.py': 'print "x"\n',
    'py2_exec.py': 'exec "x = 1"\n',
    'py2_backticks.py': 'x = `1`\n',
    'py2_ne.py': 'x = 1 <> 2\n',
    'py2_except_comma.py': 'try:\n    pass\nexcept Exception, e:\n    pass\n',
    'nested_199.py': `x = ${'('.repeat(199)}1${')'.repeat(199)}\n`,
    'nested_201.py': `x = ${'('.repeat(201)}1${')'.repeat(201)}\n`,
    'match.py': 'match x:\n    case [1, *rest]:\n        pass\n    case {"a": b}:\n        pass\n',
    'walrus.py': 'if (n := 10) > 5:\n    pass\n',
    'except_star.py': 'try:\n    pass\nexcept* ValueError:\n    pass\n',
    'fstring.py': 'x = f"{a!r:>{width}} {b}"\n',
    'decorator_expr.py': '@buttons[0].clicked.connect\ndef f():\n    pass\n',
    'async_comp.py': 'async def f():\n    return [x async for x in g()]\n',
    'line_continuation.py': 'x = 1 + \\\n    2\n',
    'tabs_mixed.py': 'if True:\n\tx = 1\n        y = 2\n',
    'unclosed.py': 'def f(:\n    pass\n',
    'trailing_comma_import.py': 'from os import (path,)\n',
    'crlf.py': 'def f():\r\n    return 1\r\n',
    'bom.py': '\uFEFFx = 1\n',
    'pytest_fixture.py': 'import pytest\n\n@pytest.fixture(scope="session")\nasync def db():\n    yield 1\n',
  };
  return cases;
}

/** CPython's verdict on each file, in one process (the oracle; independent of the code under test). */
function oracle(files: string[]): boolean[] {
  const script =
    'import ast, json, sys\nout = []\nfor p in json.load(sys.stdin):\n    try:\n        ast.parse(open(p, "rb").read())\n        out.append(True)\n    except (SyntaxError, ValueError, MemoryError, RecursionError):\n        out.append(False)\nprint(json.dumps(out))\n';
  const r = spawnSync('python3', ['-I', '-c', script], { input: JSON.stringify(files), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as boolean[];
}

describe('Python validity agrees with CPython ast.parse', { skip: noPython }, () => {
  test('corpus, fixtures, standard library and generated cases', { timeout: 300_000 }, async (t) => {
    const corpusFiles = pyFiles(CORPUS, 4);
    if (corpusFiles.length === 0)
      t.diagnostic(`no .py files in ${CORPUS} (it holds config data only); fixtures, stdlib and generated cases are used`);
    const prefix = python.stdout.trim().split(' ')[0]!;
    const lib = readdirSync(join(prefix, 'lib')).find((n) => /^python3\.\d+$/.test(n));
    // The smaller standard-library modules: real code of every style, kept to a few seconds of parsing.
    const stdlib = lib ? pyFiles(join(prefix, 'lib', lib), 0, 20_000) : [];
    const py2Samples = lib ? pyFiles(join(prefix, 'lib', lib, 'lib2to3', 'tests', 'data'), 0) : [];
    const dir = tempDir();
    const gen = Object.entries(generated()).map(([name, text]) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    });
    const files = [...corpusFiles, ...pyFiles(join(ROOT, 'fixtures'), 6), ...stdlib, ...py2Samples, ...gen];
    const verdicts = oracle(files);
    let valid = 0;
    let invalid = 0;
    const wrong: string[] = [];
    for (const [i, file] of files.entries()) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      if (text.includes('\u0000')) continue;
      const module = await parsePython(text);
      if (verdicts[i]) {
        valid++;
        if (module.syntaxError !== null)
          wrong.push(
            `${file}: CPython accepts it, netra-migrate calls it broken at ${module.syntaxError.line}:${module.syntaxError.column}`,
          );
        continue;
      }
      invalid++;
      // Never edited: an edit to it is refused by the verify gate, whatever tree-sitter thinks.
      const ws = new Workspace();
      if (!ws.load(file)) continue;
      ws.setText(file, text + '\n# edited\n');
      const refused = await pytestAnalyzer.verify(ws, file);
      if (refused === null) wrong.push(`${file}: CPython rejects it, yet an edit to it would be written`);
    }
    t.diagnostic(`${files.length} files: ${valid} valid, ${invalid} rejected by CPython`);
    assert.deepEqual(wrong, []);
    assert.ok(valid > 50 && invalid >= 8, `a differential needs both kinds (${valid} valid, ${invalid} invalid)`);
  });
});
