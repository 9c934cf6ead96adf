/**
 * Installing the memory monitor into a pytest project: the module beside the conftest.py of the test root
 * (the directory `testpaths` names, or their common directory), loaded from that conftest by file path,
 * with its limits set in the config's own style.
 *
 * Nothing is added to `sys.path` (no `pythonpath = .`): a CI job that tests the built wheel with
 * `python -Im pytest` keeps importing the wheel, not the source tree beside the config. The module ships
 * wherever the tests ship (an sdist that includes `/tests` includes it), so packagers running the tests
 * from the sdist load it too. The conftest gains a few lines that import the module by its path and list
 * it in `pytest_plugins`, which works in every import mode. Older installs (`-p pytest_memory_plugin`
 * with the module next to the config) are still recognised.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Edit } from '../../core/diagnostic.js';
import { detectEol } from '../../core/text.js';
import { MONITOR_FILE, MONITOR_MODULE, monitorText } from '../../monitor/stamp.js';
import { getEntry, listValue, typedValue } from './config.js';
import { insertEntries, renderValue } from './edit.js';
import type { PytestProject } from './project.js';
import { readSdist } from './sdist.js';
import { addoptsFlag, addoptsPlugins, type PytestTarget } from './target.js';

/** Marks the lines a fix adds to a conftest.py. */
export const LOADER_MARK = '# netra-migrate: the memory monitor, loaded from beside this file';

/** The lines that load the module beside the conftest by path (sys.path untouched) and register it. */
export function loaderText(eol: string, existingPlugins: boolean): string {
  const plugins = existingPlugins
    ? `pytest_plugins = [*([p.strip() for p in pytest_plugins.split(",")] if isinstance(pytest_plugins, str) else pytest_plugins), "${MONITOR_MODULE}"]`
    : `pytest_plugins = ["${MONITOR_MODULE}"]`;
  return [
    `${LOADER_MARK} (sys.path is left as it is).`,
    'import importlib.util as _netra_util',
    'import os as _netra_os',
    'import sys as _netra_sys',
    '',
    `if "${MONITOR_MODULE}" not in _netra_sys.modules:`,
    `    _netra_spec = _netra_util.spec_from_file_location("${MONITOR_MODULE}", _netra_os.path.join(_netra_os.path.dirname(_netra_os.path.abspath(__file__)), "${MONITOR_FILE}"))`,
    `    _netra_sys.modules["${MONITOR_MODULE}"] = _netra_util.module_from_spec(_netra_spec)`,
    `    _netra_spec.loader.exec_module(_netra_sys.modules["${MONITOR_MODULE}"])`,
    plugins,
    '',
  ].join(eol);
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** The directories `testpaths` names (a glob's part before its first wildcard). */
function testRoots(target: PytestTarget): string[] {
  return listValue(target.config, 'testpaths', 'args').map((entry) => {
    const parts = entry.split('/');
    const k = parts.findIndex((p) => /[*?[]/.test(p));
    return resolve(target.rootDir, (k < 0 ? parts : parts.slice(0, k)).join('/') || '.');
  });
}

function commonDir(dirs: string[]): string {
  let common = dirs[0]!;
  for (const d of dirs.slice(1)) while (!inside(d, common)) common = dirname(common);
  return common;
}

const isDir = (target: PytestTarget, dir: string) => target.read(join(dir, 'conftest.py')) !== null || existsSync(dir);

/**
 * Where the monitor goes: the test root's directory (the common directory of `testpaths`), when a
 * conftest.py there is read for every run of the config and does not put the repository on sys.path; the
 * config's directory only when it already has a conftest.py. Otherwise why there is no such place.
 */
export function monitorHome(target: PytestTarget): { dir: string } | { why: string } {
  const roots = testRoots(target);
  const rootConftest = target.read(join(target.rootDir, 'conftest.py')) !== null;
  if (roots.length === 0)
    return rootConftest
      ? { dir: target.rootDir }
      : {
          why: 'the config names no test root (testpaths) to hold it, and a new conftest.py next to the config would put that directory (the repository) on sys.path',
        };
  const dir = commonDir(roots);
  if (!inside(dir, target.rootDir))
    return { why: `the test roots are not under the config's directory, where a conftest.py would be read for every run` };
  if (dir === target.rootDir && !rootConftest)
    return {
      why: `the test roots (${listValue(target.config, 'testpaths', 'args').join(', ')}) share no directory below the config's, and a new conftest.py next to the config would put the repository on sys.path`,
    };
  if (!isDir(target, dir)) return { why: `the test root ${relative(target.rootDir, dir) || '.'} does not exist` };
  return { dir };
}

/** The conftest.py that loads the monitor with the new install, if it does. */
function loaderConftest(target: PytestTarget): string | null {
  const home = monitorHome(target);
  if (!('dir' in home)) return null;
  const file = join(home.dir, 'conftest.py');
  const text = target.read(file);
  return text !== null && (text.includes(LOADER_MARK) || new RegExp(`^pytest_plugins\\b[^\\n]*\\b${MONITOR_MODULE}\\b`, 'm').test(text))
    ? file
    : null;
}

/** The copy of the monitor pytest loads with this config: beside the conftest that loads it, else next to the config. */
export function monitorPath(target: PytestTarget): string {
  if (!addoptsPlugins(target.config).includes(MONITOR_MODULE)) {
    const conftest = loaderConftest(target);
    if (conftest) return join(dirname(conftest), MONITOR_FILE);
  }
  return join(target.rootDir, MONITOR_FILE);
}

/** Whether pytest loads the monitor with this config: `-p` in addopts, or `pytest_plugins` in the root conftest. */
export function monitorLoaded(target: PytestTarget): boolean {
  if (addoptsPlugins(target.config).includes(MONITOR_MODULE)) return true;
  const conftest = target.read(join(target.rootDir, 'conftest.py'));
  if (conftest !== null && new RegExp(`^pytest_plugins\\b[^\\n]*\\b${MONITOR_MODULE}\\b`, 'm').test(conftest)) return true;
  return loaderConftest(target) !== null;
}

export interface MonitorLimits {
  /** `memory_limit_mb` to set when the config has none (MB or `auto`). */
  limitMb?: string;
  collectionLimitMb?: string;
}

const strictConfig = (target: PytestTarget) =>
  addoptsFlag(target.config, '--strict-config', '--strict') !== undefined ||
  ['strict_config', 'strict'].some((k) => {
    const e = getEntry(target.config, k);
    const typed = e ? typedValue(target.config, e, 'bool') : null;
    return typed?.ok === true && typed.value === true;
  });

/**
 * Why the monitor cannot be installed so that every environment loads it, or null: the sdist ships the
 * conftest but not the module beside it, or an environment runs pytest with this (strict) config on paths
 * outside the test root, where the conftest loading the monitor is not read and its keys are unknown.
 */
export function monitorProblem(target: PytestTarget, project: PytestProject | null, dir: string): string | null {
  if (!project) return null;
  const root = project.dependencies.root;
  const sdist = readSdist({ read: (p) => target.read(p) }, root);
  if (sdist) {
    const rel = (p: string) => relative(root, p).split(sep).join('/');
    const conftest = rel(join(dir, 'conftest.py'));
    const module = rel(join(dir, MONITOR_FILE));
    if (sdist.ships(conftest) === true && sdist.ships(module) === false)
      return `the sdist (${sdist.rule}) ships ${conftest} but not ${module}: pytest run from the unpacked sdist would stop with "Error importing plugin"`;
  }
  const strict = strictConfig(target);
  for (const env of project.environments) {
    for (const run of env.pytest) {
      if (!strict && !/--strict(?:-config)?\b/.test(env.addopts ?? '')) continue;
      const outside = run.args.find(
        (a) =>
          !a.startsWith('-') &&
          run.cwd !== null &&
          existsSync(resolve(run.cwd, a.split('::')[0]!)) &&
          !inside(resolve(run.cwd, a.split('::')[0]!), dir),
      );
      if (outside)
        return `${env.name} runs pytest on ${outside}, outside ${relative(target.rootDir, dir) || '.'}: the conftest.py loading the monitor is not read there, and under strict config its keys would stop the run`;
    }
  }
  return null;
}

/** The edits that write the module beside the test root's conftest (unless present), load it from there, and set the limit keys the config lacks. */
export function installMonitorEdits(target: PytestTarget, limits: MonitorLimits, dir: string): Edit[] {
  const { config } = target;
  const edits: Edit[] = [];
  const pairs: [string, string][] = [];
  if (!monitorLoaded(target)) {
    const module = join(dir, MONITOR_FILE);
    if (target.read(module) === null && !existsSync(module)) edits.push({ file: module, start: 0, end: 0, text: monitorText() });
    const conftest = join(dir, 'conftest.py');
    const text = target.read(conftest);
    if (text === null) edits.push({ file: conftest, start: 0, end: 0, text: loaderText('\n', false) });
    else {
      const eol = detectEol(text);
      const gap = text === '' ? '' : text.endsWith('\n') ? eol : eol + eol;
      const existing = /^pytest_plugins\s*(?::[^=\n]*)?[+]?=/m.test(text);
      edits.push({
        file: conftest,
        start: text.length,
        end: text.length,
        text: `${gap}${text === '' ? '' : eol}${loaderText(eol, existing)}`,
      });
    }
  }
  // A limit already given (key, or flag in addopts, which wins over the key) is left as it is.
  const given = (key: string) => getEntry(config, key) !== undefined || addoptsFlag(config, `--${key.replaceAll('_', '-')}`) !== undefined;
  if (limits.limitMb && !given('memory_limit_mb')) pairs.push(['memory_limit_mb', renderValue(config, 'string', limits.limitMb)]);
  if (limits.collectionLimitMb && !given('collection_memory_limit_mb')) {
    pairs.push(['collection_memory_limit_mb', renderValue(config, 'string', limits.collectionLimitMb)]);
  }
  if (pairs.length > 0) edits.push(insertEntries(config, pairs));
  return edits;
}
