/**
 * CPython's own verdict on a Python text: `ast.parse` in a `python3 -I` subprocess (isolated: no user site,
 * no working directory on the path, nothing of the project imported), fed the text on stdin. Parsing never
 * runs the code. tree-sitter-python is fast but wrong both ways: it flags valid Python as broken (a line
 * dedented inside brackets, tree-sitter-python#256) and accepts what CPython rejects (Python 2's `print "x"`,
 * 200+ nested parentheses). netra-migrate asks CPython where it matters: when tree-sitter reports an
 * error, and before a Python file is written.
 */
import { childProcess } from '../core/child-process.js';

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

/** The interpreter to ask (`NETRA_PYTHON`, else `python3` on PATH). */
function interpreter(): string {
  return process.env.NETRA_PYTHON || 'python3';
}

/**
 * CPython's verdict, or null when no python3 can be run (then tree-sitter's verdict stands, and the caller
 * says so). Results are cached per text.
 */
export function cpythonVerdict(text: string): CPythonVerdict | null {
  if (missing) return null;
  const hit = cache.get(text);
  if (hit) return hit;
  const r = childProcess().spawnSync(interpreter(), ['-I', '-S', '-c', SCRIPT], {
    input: text,
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- false positive: tsc types r.error as Error, without `code`
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') missing = true;
    return null;
  }
  let verdict: CPythonVerdict;
  try {
    verdict = JSON.parse(r.stdout.trim().split('\n').pop()!) as CPythonVerdict;
  } catch {
    return null;
  }
  if (cache.size > 256) cache.clear();
  cache.set(text, verdict);
  return verdict;
}

const cache = new Map<string, CPythonVerdict>();

/** Whether a python3 could be run by the last call (for messages that must say CPython was not asked). */
export function cpythonMissing(): boolean {
  return missing;
}
