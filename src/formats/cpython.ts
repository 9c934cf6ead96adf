/**
 * CPython's own verdict on a Python text: `ast.parse` in a `python3 -I` subprocess (isolated: no user site,
 * no working directory on the path, nothing of the project imported), fed the text on stdin. Parsing never
 * runs the code. tree-sitter-python is fast but wrong both ways: it flags valid Python as broken (a line
 * dedented inside brackets, tree-sitter-python#256) and accepts what CPython rejects (Python 2's `print "x"`,
 * 200+ nested parentheses). netra-migrate asks CPython where it matters: when tree-sitter reports an
 * error, and before a Python file is written.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import { childProcess } from '../core/child-process.js';
import type { Readable, Writable } from 'node:stream';

export type CPythonVerdict = { ok: true } | { ok: false; line: number; column: number; message: string };

const VERDICT = [
  'import ast, json, sys',
  'def verdict(data):',
  '    try:',
  // The text as netra-migrate decoded it (a PEP 263 coding line already applied): parsed as str, so the
  // coding line is not applied a second time to the UTF-8 bytes it is sent in.
  '        ast.parse(data.decode("utf-8-sig"))',
  '        return json.dumps({"ok": True})',
  '    except SyntaxError as e:',
  '        return json.dumps({"ok": False, "line": e.lineno or 1, "column": e.offset or 1, "message": e.msg})',
  '    except (MemoryError, RecursionError, ValueError) as e:',
  '        return json.dumps({"ok": False, "line": 1, "column": 1, "message": type(e).__name__ + ": " + str(e)})',
];
/** One text on stdin, one verdict. */
const SCRIPT = [...VERDICT, 'print(verdict(sys.stdin.buffer.read()))'].join('\n');
/** Many texts, each as a line with its length in bytes and then the bytes; one verdict line each, in order. */
const SERVER = [
  ...VERDICT,
  'inp = sys.stdin.buffer',
  'while True:',
  '    header = inp.readline()',
  '    if not header:',
  '        break',
  '    sys.stdout.write(verdict(inp.read(int(header))) + "\\n")',
  '    sys.stdout.flush()',
].join('\n');
const TIMEOUT_MS = 30_000;

let missing = false;

/** The default interpreter (`NETRA_PYTHON`, else `python3` on PATH). */
function interpreter(): string {
  return process.env.NETRA_PYTHON || 'python3';
}

/** One interpreter's verdict, or null when it cannot be run or answers with something else. */
function ask(python: string, text: string): CPythonVerdict | null {
  const r = childProcess().spawnSync(python, ['-I', '-S', '-c', SCRIPT], {
    input: text,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    maxBuffer: 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- false positive: tsc types r.error as Error, without `code`
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      if (python === interpreter()) missing = true;
      else cannotRun.add(python);
    }
    return null;
  }
  return remember(`${python}\0${text}`, r.stdout.trim().split('\n').pop()!);
}

/**
 * CPython's verdict, or null when no python3 can be run (then tree-sitter's verdict stands, and the caller
 * says so). `python`: the project's interpreter (`--python`, or its `.venv/`), so the project's Python version
 * decides what is valid (a PEP 701 f-string is valid on 3.12, not on 3.11); when it cannot be run, the
 * default interpreter decides, as without it. Results are cached per interpreter and text.
 */
export function cpythonVerdict(text: string, python?: string | null): CPythonVerdict | null {
  if (python && cannotRun.has(python)) python = null;
  if (missing && !python) return null;
  const chosen = python || interpreter();
  const hit = cache.get(`${chosen}\0${text}`);
  if (hit) return hit;
  const verdict = ask(chosen, text);
  if (verdict === null && chosen !== interpreter() && !missing) return cpythonVerdict(text);
  return verdict;
}

/** Named interpreters that do not exist: asked once, then the default answers for them (no spawn per text). */
const cannotRun = new Set<string>();

/** Verdicts by interpreter and text. */
const cache = new Map<string, CPythonVerdict>();

function remember(key: string, line: string): CPythonVerdict | null {
  let verdict: CPythonVerdict;
  try {
    verdict = JSON.parse(line) as CPythonVerdict;
  } catch {
    return null;
  }
  if (typeof verdict !== 'object' || verdict === null || typeof verdict.ok !== 'boolean') return null;
  if (cache.size > 256) cache.clear();
  cache.set(key, verdict);
  return verdict;
}

interface Pending {
  text: string;
  resolve: (verdict: CPythonVerdict | null) => void;
}

/**
 * One interpreter answering many texts in turn: a fix verifies every Python file it changed, before and
 * after, and starting python3 for each of 20,000 files costs more than the rest of the run. Its pipes hold
 * the process open only while a text waits for its verdict.
 */
class VerdictServer {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly pending: Pending[] = [];
  private received = '';
  private timer: NodeJS.Timeout | undefined;
  dead = false;

  constructor(readonly python: string) {
    // stderr is not read: a warning ast.parse prints must never fill a pipe and stall the interpreter.
    this.child = childProcess().spawn(python, ['-I', '-S', '-c', SERVER], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.child.on('error', () => this.fail());
    // After its output is read to the end, so no verdict it gave is lost.
    this.child.on('close', () => this.fail());
    // Writing to an interpreter that is gone: `close` follows and hands its texts to the one-shot run.
    this.child.stdin.on('error', () => this.fail());
    this.hold(false);
  }

  ask(text: string): Promise<CPythonVerdict | null> {
    return new Promise((resolve) => {
      this.pending.push({ text, resolve });
      if (this.pending.length === 1) this.startClock();
      this.hold(true);
      const data = Buffer.from(text, 'utf8');
      this.child.stdin.write(`${data.length}\n`);
      this.child.stdin.write(data);
    });
  }

  private onData(chunk: string): void {
    this.received += chunk;
    for (let nl = this.received.indexOf('\n'); nl >= 0; nl = this.received.indexOf('\n')) {
      const line = this.received.slice(0, nl);
      this.received = this.received.slice(nl + 1);
      const head = this.pending.shift();
      if (!head) continue;
      head.resolve(remember(`${this.python}\0${head.text}`, line));
      clearTimeout(this.timer);
      if (this.pending.length > 0) this.startClock();
      else this.hold(false);
    }
  }

  /** A text that takes longer than the one-shot run's timeout gets no verdict, as there. */
  private startClock(): void {
    this.timer = setTimeout(() => {
      this.pending.shift()?.resolve(null);
      this.child.kill();
    }, TIMEOUT_MS);
  }

  /** The interpreter is gone (none installed, killed, crashed): texts still waiting get the one-shot run. */
  private fail(): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.timer);
    for (const p of this.pending.splice(0)) p.resolve(cpythonVerdict(p.text, this.python));
  }

  /** Keep the process alive while a verdict is awaited, and only then. */
  private hold(on: boolean): void {
    for (const handle of [this.child, this.child.stdin, this.child.stdout] as unknown as { ref(): void; unref(): void }[])
      if (on) handle.ref();
      else handle.unref();
  }
}

/** One server per interpreter asked (the project's, the default). */
const servers = new Map<string, VerdictServer>();

/** cpythonVerdict through one long-lived interpreter: the same verdicts, for many texts in a row. */
export async function cpythonVerdictOf(text: string, python?: string | null): Promise<CPythonVerdict | null> {
  if (python && cannotRun.has(python)) python = null;
  if (missing && !python) return null;
  const chosen = python || interpreter();
  const hit = cache.get(`${chosen}\0${text}`);
  if (hit) return hit;
  let server = servers.get(chosen);
  if (!server || server.dead) {
    server = new VerdictServer(chosen);
    servers.set(chosen, server);
  }
  return server.ask(text);
}

/** Whether a python3 could be run by the last call (for messages that must say CPython was not asked). */
export function cpythonMissing(): boolean {
  return missing;
}
