/**
 * `netra-migrate measure`: what each test root costs to collect, on this machine. Unlike check and fix, this
 * runs the project's own code (collection imports the test modules), one process at a time, each in its own
 * process group with a timeout and a memory limit. Nothing is written into the project: bytecode is off,
 * pytest's cache provider is off, and `--after-fix` fixes a temporary copy.
 */
import { cpSync, existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { childProcess } from '../core/child-process.js';
import { Workspace } from '../core/workspace.js';
import type { FileProblem } from '../core/diagnostic.js';
import type { RuleSettings } from '../core/settings.js';
import { collectPytestTargets, projectInterpreter } from '../runners/pytest/index.js';
import type { ConfigMeasurement, Measurement, MeasuredRuns } from '../runners/pytest/measurement.js';
import type { PytestTarget } from '../runners/pytest/target.js';
import { findJsTargets, measureJs } from './js.js';
import { measurePytest } from './pytest.js';

export interface MeasureOptions {
  cwd: string;
  paths: readonly string[];
  /** `--python`: the interpreter to collect with; default the project's `.venv/` or `venv/`, else `python3`. */
  python?: string;
  timeoutMs: number;
  /** `--memory-limit`; default the config's collection limit (pytest), else 80% of the machine's memory. */
  memoryLimitMb: number | null;
  afterFix: boolean;
  unsafe: boolean;
  /** Rule settings for the fix of `--after-fix` (the tool config of the project applies too). */
  rules?: RuleSettings;
  ignoreFiles?: false;
  /** Progress: called before each run. */
  onRun?: (what: string) => void;
}

export interface MeasureResult {
  measurement: Measurement;
  problems: FileProblem[];
  /** What was not measured, and why. */
  notes: string[];
}

const posix = (p: string) => p.split(sep).join('/') || '.';

interface Found {
  pytest: PytestTarget[];
  js: Awaited<ReturnType<typeof findJsTargets>>['targets'];
  problems: FileProblem[];
  notes: string[];
}

async function find(inputs: string[], ignoreFiles: boolean): Promise<Found> {
  const ws = new Workspace({ ignoreFiles });
  const { targets, problems } = collectPytestTargets(ws, inputs);
  const js = await findJsTargets(ws, inputs);
  return { pytest: targets.filter((t) => t.role === 'active'), js: js.targets, problems, notes: js.notes };
}

async function measureFound(found: Found, base: string, options: MeasureOptions, prefix: string): Promise<Map<string, ConfigMeasurement>> {
  const out = new Map<string, ConfigMeasurement>();
  const ws = new Workspace({ ignoreFiles: options.ignoreFiles !== false });
  for (const target of found.pytest) {
    const config = posix(relative(base, target.config.file));
    const python = options.python ?? projectInterpreter(ws, target.rootDir, undefined) ?? 'python3';
    const runs = await measurePytest(target, {
      python,
      timeoutMs: options.timeoutMs,
      memoryLimitMb: options.memoryLimitMb,
      onRun: (root) => options.onRun?.(`${prefix}${config}: ${root === 'all' ? 'all roots' : root}`),
    });
    out.set(config, { config, runner: 'pytest', unit: 'tests', ...runs });
  }
  for (const target of found.js) {
    const config = posix(relative(base, target.root.file));
    const runs = await measureJs(target, base, {
      timeoutMs: options.timeoutMs,
      memoryLimitMb: options.memoryLimitMb,
      onRun: (root) => options.onRun?.(`${prefix}${config}: ${root === 'all' ? 'all projects' : root}`),
    });
    out.set(config, { config, runner: target.root.runner, unit: target.root.runner === 'jest' ? 'test files' : 'tests', ...runs });
  }
  return out;
}

/** Directories not copied for `--after-fix`: linked instead (environments, dependencies) or left out (caches, VCS). */
const LINKED = new Set(['node_modules', '.venv', 'venv']);
const LEFT_OUT = new Set([
  '.git',
  '.hg',
  '.netra-migrate-cache',
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.tox',
  '.nox',
]);

/** A copy of `base` in a temporary directory: environments linked, caches left out. */
function copyProject(base: string): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'netra-measure-after-')), basename(base) || 'project');
  cpSync(base, copy, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => {
      const name = basename(src);
      if (src === base) return true;
      if (LEFT_OUT.has(name)) return false;
      if (LINKED.has(name)) {
        symlinkSync(src, join(copy, relative(base, src)));
        return false;
      }
      return true;
    },
  });
  // Dependencies installed above the working directory (a package of a workspace): linked at the copy's top,
  // where Node's resolution from the copy looks.
  if (!existsSync(join(copy, 'node_modules')))
    for (let dir = dirname(base); ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'node_modules'))) {
        symlinkSync(join(dir, 'node_modules'), join(copy, 'node_modules'));
        break;
      }
      if (dirname(dir) === dir) break;
    }
  return copy;
}

/** A named interpreter that cannot be started is the user's mistake, said once, before any run. */
function checkInterpreter(python: string): void {
  const r = childProcess().spawnSync(python, ['-c', 'import sys'], { stdio: 'ignore', timeout: 30_000 });
  if (r.error || r.status !== 0)
    throw Object.assign(new Error(`--python ${python}: cannot run it (${r.error?.message ?? `exit code ${r.status}`})`), {
      name: 'UsageError',
    });
}

export async function measure(options: MeasureOptions): Promise<MeasureResult> {
  if (options.python) checkInterpreter(options.python);
  const base = resolve(options.cwd);
  const inputs = [...new Set((options.paths.length > 0 ? options.paths : ['.']).map((p) => resolve(base, p)))];
  const found = await find(inputs, options.ignoreFiles !== false);
  const notes = [...found.notes];
  const before = await measureFound(found, base, options, '');
  if (options.afterFix) {
    const outside = inputs.filter((i) => i !== base && !i.startsWith(base + sep));
    if (outside.length > 0)
      notes.push(`--after-fix: ${outside.join(', ')} is outside the working directory; only what is inside was fixed`);
    const copy = copyProject(base);
    try {
      const realCopy = realpathSync(copy);
      const copied = inputs.filter((i) => !outside.includes(i)).map((i) => join(realCopy, relative(base, i)));
      const { fix } = await import('../index.js');
      const fixed = await fix({
        cwd: realCopy,
        paths: copied,
        write: true,
        unsafe: options.unsafe,
        python: options.python,
        rules: options.rules,
      });
      for (const { file, reason } of fixed.notWritten) notes.push(`--after-fix: ${posix(relative(realCopy, file))} not written: ${reason}`);
      const after = await measureFound(await find(copied, options.ignoreFiles !== false), realCopy, options, 'after fix: ');
      for (const [config, m] of before) {
        const a = after.get(config);
        if (a) m.after = { roots: a.roots, all: a.all } satisfies MeasuredRuns;
      }
    } finally {
      rmSync(join(copy, '..'), { recursive: true, force: true });
    }
  }
  return {
    measurement: { version: 1, base, measuredAt: new Date().toISOString(), configs: [...before.values()] },
    problems: found.problems,
    notes,
  };
}
