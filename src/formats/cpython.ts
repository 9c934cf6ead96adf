/**
 * CPython's own verdict on a Python text: `ast.parse` in a `python3 -I` subprocess (isolated: no user site,
 * no working directory on the path, nothing of the project imported), fed the text on stdin. Parsing never
 * runs the code. tree-sitter-python is fast but wrong both ways: it flags valid Python as broken (a line
 * dedented inside brackets, tree-sitter-python#256) and accepts what CPython rejects (Python 2's `print "x"`,
 * 200+ nested parentheses). netra-migrate asks CPython where it matters: when tree-sitter reports an
 * error, and before a Python file is written.
 */
import { spawnSync } from 'node:child_process';

export type CPythonVerdict = { ok: true } | { ok: false; line: number; column: number; message: string };

const SCRIPT = [
  'import ast, json, sys',
  'data = sys.stdin.buffer.read()',
  'try:',
  '    ast.parse(data)',
  '    print(json.dumps({"ok": True}))',
  'except SyntaxError as e:',
  '    print(json.dumps({"ok": False, "line": e.lineno or 1, "column": e.offset or 1, "message": e.msg}))',
  'except (MemoryError, RecursionError, ValueError) as e:',
  '    print(json.dumps({"ok": False, "line": 1, "column": 1, "message": type(e).__name__ + ": " + str(e)}))',
].join('\n');

let missing = false;

/** The default interpreter (`NETRA_PYTHON`, else `python3` on PATH). */
function interpreter(): string {
  return process.env.NETRA_PYTHON || 'python3';
}

/** One interpreter's verdict, or null when it cannot be run or answers with something else. */
function ask(python: string, text: string): CPythonVerdict | null {
  const r = spawnSync(python, ['-I', '-S', '-c', SCRIPT], {
    input: text,
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- false positive: tsc types r.error as Error, without `code`
    if (python === interpreter() && (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') missing = true;
    return null;
  }
  try {
    const verdict = JSON.parse(r.stdout.trim().split('\n').pop()!) as CPythonVerdict;
    return typeof verdict === 'object' && verdict !== null && typeof verdict.ok === 'boolean' ? verdict : null;
  } catch {
    return null;
  }
}

/**
 * CPython's verdict, or null when no python3 can be run (then tree-sitter's verdict stands, and the caller
 * says so). `python`: the project's interpreter (`--python`, or its `.venv/`), so the project's Python version
 * decides what is valid (a PEP 701 f-string is valid on 3.12, not on 3.11); when it cannot be run, the
 * default interpreter decides, as without it. Results are cached per interpreter and text.
 */
export function cpythonVerdict(text: string, python?: string | null): CPythonVerdict | null {
  if (missing && !python) return null;
  const chosen = python || interpreter();
  const key = `${chosen}\0${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let verdict = ask(chosen, text);
  if (verdict === null && chosen !== interpreter() && !missing) verdict = ask(interpreter(), text);
  if (verdict === null) return null;
  if (cache.size > 256) cache.clear();
  cache.set(key, verdict);
  return verdict;
}

const cache = new Map<string, CPythonVerdict>();

/** Whether a python3 could be run by the last call (for messages that must say CPython was not asked). */
export function cpythonMissing(): boolean {
  return missing;
}
