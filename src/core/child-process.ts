/**
 * node:child_process, loaded when a run first starts a process (CPython, a project's interpreter), not at
 * start-up: most runs start none, and loading it was a few percent of a one-file pre-commit run.
 */
import { createRequire } from 'node:module';
import type * as ChildProcess from 'node:child_process';

let loaded: typeof ChildProcess | undefined;

export function childProcess(): typeof ChildProcess {
  return (loaded ??= createRequire(import.meta.url)('node:child_process') as typeof ChildProcess);
}

export interface BoundedRun {
  /** Exit code, null when killed or not started. */
  code: number | null;
  /** What it wrote on stdout before it exited (up to `maxStdout` bytes). */
  stdout: string;
  /** Why there is no usable answer, in words that never quote the process's own output; null when it exited. */
  failure: string | null;
}

/**
 * Run a program the project provides (its interpreter) with a deadline, in a process group of its own. The
 * answer is read when the process exits, not when its stdout closes: a background child it leaves holding
 * stdout does not hold the run (a short grace lets the pipe drain). On exit, deadline or overflow the whole
 * group is killed, so nothing it started outlives the run. Its stderr is drained and dropped.
 */
export function runBounded(
  command: string,
  args: readonly string[],
  { timeoutMs, maxStdout, graceMs = 200 }: { timeoutMs: number; maxStdout: number; graceMs?: number },
): Promise<BoundedRun> {
  return new Promise((resolvePromise) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    let child: ChildProcess.ChildProcess;
    try {
      child = childProcess().spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (e) {
      resolvePromise({ code: null, stdout: '', failure: `it could not be started (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
      return;
    }
    const finish = (code: number | null, failure: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      if (child.pid !== undefined)
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is gone already.
        }
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolvePromise({ code, stdout: Buffer.concat(chunks).toString('utf8'), failure });
    };
    const timer = setTimeout(() => finish(null, `it did not answer within ${timeoutMs / 1000} s`), timeoutMs);
    child.stdout!.on('data', (b: Buffer) => {
      size += b.length;
      if (size > maxStdout) finish(null, `it wrote more than ${maxStdout} bytes`);
      else chunks.push(b);
    });
    child.stderr!.on('data', () => {});
    child.on('error', (e: NodeJS.ErrnoException) => finish(null, `it could not be started (${e.code ?? 'error'})`));
    child.on('exit', (code, signal) => {
      const done = () => finish(code, code === 0 ? null : signal ? `it was stopped by ${signal}` : `it exited with status ${code}`);
      if (child.stdout!.readableEnded) done();
      else {
        child.stdout!.once('end', done);
        grace = setTimeout(done, graceMs);
      }
    });
  });
}
