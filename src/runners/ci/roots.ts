/**
 * Which test roots a pytest command line collects, judged against the config that governs it: the config
 * pytest finds from the command's directory (or the one `-c` names), read through the run's workspace.
 */
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { statSync } from 'node:fs';
import { FileProblemError, type FileProblem } from '../../core/diagnostic.js';
import type { Workspace } from '../../core/workspace.js';
import { listValue, loadPytestConfig, type PytestConfig } from '../pytest/config.js';
import { nearestActive } from '../pytest/index.js';
import { pytestRunOf, readPytestArgs } from './command-line.js';
import { makeSites } from './sites.js';
import { localPluginsFor } from '../pytest/project.js';
import type { ShellWord } from '../../formats/shell.js';

/** The pytest config governing `dir`, found as pytest finds it; null when none, or when one on the way is broken. */
export function governingConfig(dir: string, ws: Workspace): PytestConfig | null {
  const problems: FileProblem[] = [];
  const found = nearestActive(ws, dir, problems);
  // A broken config is reported by the pytest analyzer when it is among the inputs.
  return found && problems.length === 0 ? found.config : null;
}

/** The config `-c FILE` names (any file name), or null when it cannot be read. */
function explicitConfig(ws: Workspace, file: string): PytestConfig | null {
  const text = ws.text(file);
  if (text === null) return null;
  try {
    return loadPytestConfig(file, text, true);
  } catch (e) {
    if (e instanceof FileProblemError) return null;
    throw e;
  }
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** A path argument's directory part: node ids lose `::...`, globs their first wildcard segment and what follows. */
function pathPart(word: ShellWord): string {
  let p = word.value.split('::')[0]!;
  if (word.glob) {
    const parts = p.split('/');
    const k = parts.findIndex((s) => /[*?[]/.test(s));
    p = parts.slice(0, k).join('/') || '.';
  }
  return p.replace(/\/+$/, '') || '/';
}

function isFile(path: string, word: ShellWord): boolean {
  if (word.value.includes('::') || /\.(py|rst|md|txt)$/.test(path)) return true;
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface ExtraRoots {
  /** The paths the command names, node ids reduced to their files, each once. */
  paths: string[];
  config: PytestConfig;
  root: string;
}

/**
 * A command that collects several roots where the governing config was narrowed to one; null when it
 * collects one (the configured root, files and node ids inside it, or another root alone: the remedy for
 * several roots is a job per root), or when it cannot be judged (`--rootdir`, `-o testpaths=`, `--pyargs`,
 * a directory the tool cannot follow, no config with exactly one plain `testpaths` entry).
 */
export async function extraRoots(ws: Workspace, args: readonly ShellWord[], cwd: string | null): Promise<ExtraRoots | null> {
  if (cwd === null) return null;
  const first = readPytestArgs(args);
  if (first.ownSelection || first.paths.filter((w) => !w.dynamic).length < 2) return null;
  const config = first.configFile ? explicitConfig(ws, resolve(cwd, first.configFile)) : governingConfig(cwd, ws);
  if (!config) return null;
  // Read again knowing what the project's conftest.py and local plugins register: `--run-slow tests/a` is a
  // switch and a path, `--targets a b` one option with two values.
  const read = readPytestArgs(args, (await localPluginsFor(ws, config)).flags);
  if (read.ownSelection) return null;
  const literal = read.paths.filter((w) => !w.dynamic);
  if (literal.length < 2) return null;
  const testpaths = listValue(config, 'testpaths', 'args');
  if (testpaths.length !== 1 || /[*?[]/.test(testpaths[0]!)) return null;
  const paths = severalRoots(literal, cwd, resolve(dirname(config.file), testpaths[0]!));
  return paths ? { paths, config, root: testpaths[0]! } : null;
}

/**
 * The paths `literal` names (node ids reduced to their files, each once) when, run from `cwd` under a config
 * whose one test root is `configured` (absolute), they collect two roots or more; null when one.
 */
function severalRoots(literal: readonly ShellWord[], cwd: string, configured: string): string[] | null {
  const roots: string[] = [];
  const paths: string[] = [];
  for (const word of literal) {
    const part = pathPart(word);
    const abs = isAbsolute(part) ? part : resolve(cwd, part);
    if (!paths.includes(word.value.split('::')[0]!)) paths.push(word.value.split('::')[0]!);
    const root = inside(abs, configured) ? configured : isFile(abs, word) ? dirname(abs) : abs;
    if (!roots.includes(root)) roots.push(root);
  }
  // A root inside another is collected with it.
  const distinct = roots.filter((r) => !roots.some((o) => o !== r && inside(r, o)));
  return distinct.length < 2 ? null : paths;
}

/** A run an environment makes (environments.ts), words as written: `{posargs}` and `$VAR` are dynamic. */
export interface WrittenRun {
  args: readonly string[];
  cwd: string | null;
}

/**
 * Runs of `envs` that would be reported as bringing back dropped roots (ci/rules/single-test-root.ts) once
 * the config `configFile` lists exactly `testpaths`: each with the paths it names. None when `testpaths`
 * is not one plain entry (then the CI side judges nothing), nor for a run that names another config
 * (`-c`) or picks its own roots (`--rootdir`, `-o testpaths=`).
 */
export function runsOnSeveralRoots<E extends { pytest: readonly WrittenRun[] }>(
  envs: readonly E[],
  configFile: string,
  testpaths: readonly string[],
): { env: E; paths: string[] }[] {
  if (testpaths.length !== 1 || /[*?[]/.test(testpaths[0]!)) return [];
  const configured = resolve(dirname(configFile), testpaths[0]!);
  const out: { env: E; paths: string[] }[] = [];
  for (const env of envs)
    for (const run of env.pytest) {
      if (run.cwd === null) continue;
      const words: ShellWord[] = run.args.map((value) => ({
        value,
        start: 0,
        end: 0,
        dynamic: /[{$`]/.test(value),
        glob: /[*?[]/.test(value),
      }));
      const read = readPytestArgs(words);
      if (read.ownSelection) continue;
      if (read.configFile !== null && resolve(run.cwd, read.configFile) !== configFile) continue;
      const literal = read.paths.filter((w) => !w.dynamic);
      const paths = literal.length < 2 ? null : severalRoots(literal, run.cwd, configured);
      if (paths) {
        out.push({ env, paths });
        break;
      }
    }
  return out;
}

/**
 * The pytest runs of the Makefile beside a config (`make test`), as runs an environment makes: the model of
 * environments (tox, nox, CI jobs) does not hold them, yet the CI side of single-test-root judges them.
 */
export function makeRuns(read: (path: string) => string | null, dir: string): { name: string; pytest: WrittenRun[] }[] {
  const out: { name: string; pytest: WrittenRun[] }[] = [];
  for (const name of ['GNUmakefile', 'makefile', 'Makefile']) {
    const file = join(dir, name);
    const text = read(file);
    if (text === null) continue;
    for (const site of makeSites(file, text)) {
      const pytest = site.commands.flatMap((c) => {
        const run = pytestRunOf(c.words);
        return run && !run.container ? [{ args: run.args.map((w) => w.value), cwd: c.cwd }] : [];
      });
      if (pytest.length > 0) out.push({ name: `\`${site.name}\` (${name})`, pytest });
    }
    break;
  }
  return out;
}
