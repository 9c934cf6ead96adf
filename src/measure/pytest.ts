/**
 * pytest collection, measured: `python -m pytest --collect-only -q -p no:cacheprovider` with the config's own
 * options, once per test root and once for all roots together, each in its own process. The roots are the
 * ones `single-test-root` reads (`testRoots`); the interpreter is the one `check` asks about the project.
 */
import { totalmem } from 'node:os';
import { basename, relative } from 'node:path';
import { getEntry, typedValue, CONFIG_NAMES } from '../runners/pytest/config.js';
import { testRoots } from '../runners/pytest/roots.js';
import { expandTestpath, type PytestTarget } from '../runners/pytest/target.js';
import type { MeasuredRuns, RunMeasurement } from '../runners/pytest/measurement.js';
import { runMeasured, type ProcessResult } from './process.js';

/**
 * Runs pytest in the process itself (`pytest.main`, as `python -m pytest` does: `-c` puts the working
 * directory first on sys.path as `-m` does) with a plugin that counts the collected items and keeps the first
 * collection error, and at exit writes them with the kernel's high-water mark (`ru_maxrss`) to the report file.
 */
const WRAPPER = String.raw`
import json, os, sys
class _NetraMeasure:
    def __init__(self):
        self.tests = None
        self.error = None
        self.errors = 0
    def pytest_collectreport(self, report):
        if report.failed:
            self.errors += 1
            if self.error is None:
                text = report.longreprtext or ""
                lines = [l for l in text.splitlines() if l.strip()]
                marked = [l[1:].strip() for l in lines if l.startswith("E ")]
                self.error = ((report.nodeid or ".") + ": " + (marked[-1] if marked else (lines[-1].strip() if lines else "collection error")))
    def pytest_collection_finish(self, session):
        self.tests = len(session.items)
_m = _NetraMeasure()
_code = 1
_failure = None
try:
    import pytest
    _code = int(pytest.main(sys.argv[1:], plugins=[_m]))
except SystemExit as e:
    _code = e.code if isinstance(e.code, int) else 1
except BaseException as e:
    _failure = "%s: %s" % (type(e).__name__, e)
finally:
    try:
        import resource
        kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        if sys.platform == "darwin":
            kb //= 1024
    except Exception:
        kb = 0
    if os.environ.get("NETRA_MEASURE_PARENT") == str(os.getppid()) and os.environ.get("NETRA_MEASURE_REPORT"):
        with open(os.environ["NETRA_MEASURE_REPORT"], "a", encoding="utf-8") as f:
            f.write(json.dumps({"tests": _m.tests, "error": _m.error or _failure, "errors": _m.errors, "maxrssKb": kb, "exitCode": _code}) + "\n")
sys.exit(_code)
`;

export interface PytestMeasureOptions {
  python: string;
  timeoutMs: number;
  /** `--memory-limit`: wins over the config's collection limit. */
  memoryLimitMb: number | null;
  onRun?: (what: string) => void;
}

/** A collection limit in MB from the config's monitor setting: a number, or `auto` (half of 80% of memory). */
export function configCollectionLimitMb(target: PytestTarget): number | null {
  const entry = getEntry(target.config, 'collection_memory_limit_mb');
  if (!entry) return null;
  const typed = typedValue(target.config, entry, 'string');
  const value = typed.ok && typeof typed.value === 'string' ? typed.value.trim().toLowerCase() : '';
  if (/^\d+(\.\d+)?$/.test(value) && Number(value) > 0) return Number(value);
  if (value === 'auto') return Math.round((totalmem() / 1024 / 1024) * 0.8 * 0.5);
  return null;
}

/** With no limit given anywhere, a run is still stopped at 80% of the machine's memory. */
export const safetyLimitMb = () => Math.round((totalmem() / 1024 / 1024) * 0.8);

/** The last line of stderr or stdout that says what went wrong (`ERROR: ...`, a traceback's last line). */
function lastProblemLine(result: ProcessResult): string | null {
  const lines = `${result.stderrTail}\n${result.stdoutTail}`.split('\n').map((l) => l.trim());
  // argparse's own line says what is wrong (`pytest: error: unrecognized arguments: -n`), not its usage line.
  const argparse = lines.find((l) => /^\S+: error: /.test(l));
  const error = argparse ?? lines.filter((l) => /^(ERROR|E\s|\w+Error\b)/.test(l) && !l.startsWith('ERROR: usage:')).pop();
  // pytest.main() names itself so; the run stands for `python -m pytest`.
  return (error ?? lines.filter(Boolean).pop() ?? null)?.replace(/^pytest\.main\(\): /, 'pytest: ') ?? null;
}

export function toRun(root: string, result: ProcessResult, tests: number | null, reportedError: string | null): RunMeasurement {
  const ok = result.exitCode === 0 || result.exitCode === 5;
  const error = result.stopped?.message ?? reportedError ?? (ok ? null : lastProblemLine(result));
  return {
    root,
    tests,
    seconds: Math.round(result.seconds * 1000) / 1000,
    peakMb: result.peakMb === null ? null : Math.round(result.peakMb * 10) / 10,
    exitCode: result.stopped ? null : result.exitCode,
    error,
  };
}

async function collect(target: PytestTarget, root: string, paths: string[], options: PytestMeasureOptions): Promise<RunMeasurement> {
  const explicit = !(CONFIG_NAMES as readonly string[]).includes(basename(target.config.file));
  const args = [
    '-c',
    WRAPPER,
    ...(explicit ? ['-c', target.config.file, '--rootdir', target.rootDir] : []),
    '--collect-only',
    '-q',
    '-p',
    'no:cacheprovider',
    ...paths,
  ];
  options.onRun?.(root);
  const result = await runMeasured({
    command: options.python,
    args,
    cwd: target.rootDir,
    // Collection imports the project's modules: no bytecode is written into the project.
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    timeoutMs: options.timeoutMs,
    memoryLimitMb: options.memoryLimitMb ?? configCollectionLimitMb(target) ?? safetyLimitMb(),
  });
  const report = result.report;
  const tests = typeof report?.tests === 'number' ? report.tests : null;
  const error = typeof report?.error === 'string' ? report.error : null;
  return toRun(root, result, tests, error);
}

/** Each root alone, then every root together (a config with one root or none is measured once). */
export async function measurePytest(target: PytestTarget, options: PytestMeasureOptions): Promise<MeasuredRuns> {
  const found = testRoots(target);
  const roots = found?.roots ?? [];
  const runs: RunMeasurement[] = [];
  for (const root of roots) {
    // A glob entry is expanded as pytest expands `testpaths`; a plain one is passed as written.
    const paths = /[*?[]/.test(root) ? expandTestpath(target.rootDir, root).map((p) => relative(target.rootDir, p)) : [root];
    runs.push(await collect(target, root, paths, options));
  }
  if (runs.length === 1 && found!.entries.length === 1) return { roots: runs, all: { ...runs[0]!, root: 'all' } };
  const all = await collect(target, 'all', [], options);
  return { roots: runs.length > 0 ? runs : [{ ...all, root: '.' }], all };
}
