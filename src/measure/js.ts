/**
 * Jest and Vitest, measured where the project's runner is installed (`node_modules/.bin`): the time and peak
 * memory of listing the tests (`jest --listTests`, `vitest list`), for the root config (every project
 * together) and for each project config it lists, run with its own config from its own directory.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import type { Workspace } from '../core/workspace.js';
import { jsAnalyzer } from '../runners/js/index.js';
import { listedProjects, type JsConfigTarget } from '../runners/js/config.js';
import type { MeasuredRuns, RunMeasurement } from '../runners/pytest/measurement.js';
import { runMeasured } from './process.js';
import { safetyLimitMb, toRun } from './pytest.js';

/** Loaded with `node -r` into the runner's main process only: the kernel's high-water mark at exit. */
const PRELOAD = String.raw`
'use strict';
if (process.env.NETRA_MEASURE_PARENT === String(process.ppid) && process.env.NETRA_MEASURE_REPORT) {
  const report = process.env.NETRA_MEASURE_REPORT;
  process.on('exit', () => {
    try {
      require('fs').appendFileSync(report, JSON.stringify({ maxrssKb: process.resourceUsage().maxRSS }) + '\n');
    } catch {}
  });
}
`;

export interface JsMeasureTarget {
  root: JsConfigTarget;
  projects: JsConfigTarget[];
  bin: string;
}

/** The runner's binary, from the config's directory up (`node_modules/.bin/jest`). */
function runnerBin(dir: string, runner: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    const bin = join(d, 'node_modules', '.bin', runner);
    if (existsSync(bin)) return bin;
    if (dirname(d) === d) return null;
  }
}

/** The Jest and Vitest root configs under the inputs whose runner is installed, with the project configs they list. */
export async function findJsTargets(ws: Workspace, inputs: string[]): Promise<{ targets: JsMeasureTarget[]; notes: string[] }> {
  const out = await jsAnalyzer.analyze(ws, inputs);
  const all = [...new Set(out.runs.map((r) => r.target as JsConfigTarget).filter((t) => 'runner' in t && 'kind' in t))];
  const notes: string[] = [];
  const targets: JsMeasureTarget[] = [];
  const isProjectOf = (root: JsConfigTarget, t: JsConfigTarget) =>
    t !== root &&
    t.kind !== 'project' &&
    (root.runner === 'jest' ? t.jestRoot === root : t.runner === 'vitest' && listedProjects([root])(t.file));
  const projectFiles = new Set<JsConfigTarget>();
  for (const root of all) for (const t of all) if (root.kind !== 'project' && isProjectOf(root, t)) projectFiles.add(t);
  for (const root of all) {
    if (root.kind === 'project' || root.viteOnly || projectFiles.has(root)) continue;
    const bin = runnerBin(dirname(root.file), root.runner);
    if (!bin) {
      notes.push(`${root.file}: not measured: ${root.runner} is not installed (no node_modules/.bin/${root.runner})`);
      continue;
    }
    targets.push({ root, projects: all.filter((t) => isProjectOf(root, t)), bin });
  }
  return { targets, notes };
}

export interface JsMeasureOptions {
  timeoutMs: number;
  memoryLimitMb: number | null;
  onRun?: (what: string) => void;
}

async function list(target: JsMeasureTarget, config: JsConfigTarget, label: string, preload: string, options: JsMeasureOptions) {
  let real = target.bin;
  try {
    real = realpathSync(target.bin);
  } catch {
    // Keep the link.
  }
  const runnerArgs = [
    ...(config.runner === 'jest' ? ['--listTests'] : ['list']),
    ...(basename(config.file) === 'package.json' ? [] : ['--config', config.file]),
  ];
  // A JavaScript entry runs under this Node with the preload (its exact peak); a shell shim (pnpm) runs as is.
  const [command, args] = /\.[cm]?js$/.test(real) ? [process.execPath, ['-r', preload, real, ...runnerArgs]] : [target.bin, runnerArgs];
  options.onRun?.(label);
  const result = await runMeasured({
    command,
    args,
    cwd: dirname(config.file),
    env: { ...process.env, CI: '1', FORCE_COLOR: '0', NO_COLOR: '1' },
    timeoutMs: options.timeoutMs,
    memoryLimitMb: options.memoryLimitMb ?? safetyLimitMb(),
  });
  // jest --listTests prints one absolute path per test file; vitest list one `file > test` line per test.
  const lines = result.stdoutLines.map((l) => l.trim());
  const tests =
    result.exitCode === null
      ? null
      : config.runner === 'jest'
        ? lines.filter((l) => l.startsWith('/') || /^[A-Za-z]:\\/.test(l)).length
        : lines.filter((l) => l.includes(' > ')).length;
  return toRun(label, result, tests, null);
}

export async function measureJs(target: JsMeasureTarget, base: string, options: JsMeasureOptions): Promise<MeasuredRuns> {
  const dir = mkdtempSync(join(tmpdir(), 'netra-measure-js-'));
  const preload = join(dir, 'preload.cjs');
  writeFileSync(preload, PRELOAD);
  try {
    const roots: RunMeasurement[] = [];
    for (const project of target.projects) {
      const label = relative(dirname(target.root.file), dirname(project.file)).split('\\').join('/') || '.';
      roots.push(await list(target, project, label, preload, options));
    }
    const all = await list(target, target.root, 'all', preload, options);
    return { roots: roots.length > 0 ? roots : [{ ...all, root: relative(base, dirname(target.root.file)) || '.' }], all };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
