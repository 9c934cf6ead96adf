/**
 * One measured process: started in its own process group, stopped (the whole group) at a timeout or when it
 * goes over a memory limit, and its peak memory taken from the kernel.
 *
 * Peak memory, decided: the kernel's high-water mark of the process itself, reported by the process at exit
 * (`getrusage(RUSAGE_SELF).ru_maxrss`: Python's `resource`, Node's `process.resourceUsage().maxRSS`, written
 * to a report file by a small wrapper), because polling can miss a spike between two readings and the kernel
 * cannot. On Linux the group is also polled every 50 ms through `/proc` (each member's `VmRSS`, and the main
 * process's `VmHWM`): that is what stops a run over the limit while it runs, covers the worker processes a
 * runner starts (Vitest's forks), and gives a peak for a run that was killed before it could report. The
 * peak shown is the larger of the two readings.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childProcess } from '../core/child-process.js';

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Stop the group when its memory goes over this many MB; null: no limit. */
  memoryLimitMb: number | null;
}

export interface ProcessResult {
  exitCode: number | null;
  seconds: number;
  peakMb: number | null;
  /** Lines written to stdout, and the last 64 KB of stdout and stderr. */
  stdoutLines: string[];
  stdoutTail: string;
  stderrTail: string;
  /** What the wrapper wrote to its report file (the last JSON line), if anything. */
  report: Record<string, unknown> | null;
  stopped: { reason: 'timeout' | 'memory'; message: string } | null;
}

const TAIL = 64 * 1024;
const MAX_LINES = 200_000;
const POLL_MS = 50;

/** VmRSS or VmHWM of one process in MB, from /proc (null where there is no /proc or it is gone). */
function procStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The processes of a process group (Linux: /proc/PID/stat field 5). */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [pgid];
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces and parentheses): state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) out.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** The environment variable naming the wrapper's report file; the wrapper writes only when its parent is us. */
export const REPORT_ENV = 'NETRA_MEASURE_REPORT';
export const PARENT_ENV = 'NETRA_MEASURE_PARENT';

export function runMeasured(spec: ProcessSpec): Promise<ProcessResult> {
  const dir = mkdtempSync(join(tmpdir(), 'netra-measure-'));
  const reportFile = join(dir, 'report.jsonl');
  const started = performance.now();
  const child = childProcess().spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...(spec.env ?? process.env), [REPORT_ENV]: reportFile, [PARENT_ENV]: String(process.pid) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let polledPeak = 0;
  let stopped: ProcessResult['stopped'] = null;
  const stdoutLines: string[] = [];
  let partial = '';
  let stdoutTail = '';
  let stderrTail = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdoutTail = (stdoutTail + chunk).slice(-TAIL);
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) if (stdoutLines.length < MAX_LINES) stdoutLines.push(line.replace(/\r$/, ''));
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-TAIL);
  });
  const pgid = child.pid;
  const poll = () => {
    if (pgid === undefined || stopped) return;
    let sum = 0;
    for (const pid of groupMembers(pgid)) sum += procStatusMb(pid, 'VmRSS') ?? 0;
    const hwm = procStatusMb(pgid, 'VmHWM') ?? 0;
    polledPeak = Math.max(polledPeak, sum, hwm);
    if (spec.memoryLimitMb !== null && polledPeak > spec.memoryLimitMb) {
      stopped = {
        reason: 'memory',
        message: `stopped: ${polledPeak.toFixed(0)} MB is over the memory limit of ${spec.memoryLimitMb} MB`,
      };
      killGroup(pgid);
    }
  };
  const timer = setInterval(poll, POLL_MS);
  const timeout = setTimeout(() => {
    if (pgid === undefined || stopped) return;
    stopped = { reason: 'timeout', message: `stopped: still running after the timeout of ${spec.timeoutMs / 1000} s` };
    killGroup(pgid);
  }, spec.timeoutMs);
  return new Promise((resolvePromise) => {
    let exitCode: number | null = null;
    let spawnError: Error | null = null;
    let done = false;
    child.on('error', (e) => {
      spawnError = e;
      // Not started at all (no such interpreter): no 'close' follows.
      if (child.pid === undefined) finish();
    });
    child.on('exit', (code) => {
      exitCode = code;
      // Workers the runner left behind go with it.
      if (pgid !== undefined) killGroup(pgid);
    });
    child.on('close', finish);
    function finish() {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(timeout);
      const seconds = (performance.now() - started) / 1000;
      if (partial && stdoutLines.length < MAX_LINES) stdoutLines.push(partial);
      let report: Record<string, unknown> | null = null;
      try {
        const lines = readFileSync(reportFile, 'utf8').trim().split('\n');
        report = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
      } catch {
        // No report: the process was killed, or it is not a wrapper.
      }
      rmSync(dir, { recursive: true, force: true });
      const reportedKb = typeof report?.maxrssKb === 'number' ? report.maxrssKb : 0;
      const peak = Math.max(polledPeak, reportedKb / 1024);
      resolvePromise({
        exitCode,
        seconds,
        peakMb: peak > 0 ? peak : null,
        stdoutLines,
        stdoutTail,
        stderrTail: spawnError ? `${stderrTail}${spawnError.message}\n` : stderrTail,
        report,
        stopped,
      });
    }
  });
}
