/**
 * Installing the memory monitor into a pytest project: the module next to the config, registered so that
 * both `pytest` and `python -m pytest` load it, with its limits set in the config's own style.
 *
 * Registration is `-p pytest_memory_plugin` in addopts plus the config's directory on `pythonpath`: pytest
 * 9 puts `pythonpath` on sys.path before it imports `-p` plugins, so the bare `pytest` script (whose
 * sys.path does not hold the working directory) finds the module too. A conftest.py `pytest_plugins` line
 * would need a Python edit and fails under `--import-mode=importlib`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Edit } from '../../core/diagnostic.js';
import { MONITOR_FILE, MONITOR_MODULE, monitorText } from '../../monitor/stamp.js';
import { getEntry, listItems, listValue } from './config.js';
import { appendItems, insertEntries, renderValue } from './edit.js';
import { addoptsFlag, addoptsPlugins, parseAddopts, type PytestTarget } from './target.js';

export function monitorPath(target: PytestTarget): string {
  return join(target.rootDir, MONITOR_FILE);
}

/** Whether pytest loads the monitor with this config: `-p` in addopts, or `pytest_plugins` in the root conftest. */
export function monitorLoaded(target: PytestTarget): boolean {
  if (addoptsPlugins(target.config).includes(MONITOR_MODULE)) return true;
  const conftest = target.read(join(target.rootDir, 'conftest.py'));
  return conftest !== null && new RegExp(`^pytest_plugins\\b[^\\n]*\\b${MONITOR_MODULE}\\b`, 'm').test(conftest);
}

export interface MonitorLimits {
  /** `memory_limit_mb` to set when the config has none (MB or `auto`). */
  limitMb?: string;
  collectionLimitMb?: string;
}

/** The edits that write the module (unless present) and register it, plus the limit keys the config lacks. */
export function installMonitorEdits(target: PytestTarget, limits: MonitorLimits): Edit[] {
  const { config } = target;
  const edits: Edit[] = [];
  const module = monitorPath(target);
  if (target.read(module) === null && !existsSync(module)) edits.push({ file: module, start: 0, end: 0, text: monitorText() });
  const pairs: [string, string][] = [];
  if (!monitorLoaded(target)) {
    const addopts = parseAddopts(config);
    if (addopts) edits.push(appendItems(config, addopts.entry, addopts.items, ['-p', MONITOR_MODULE]));
    else pairs.push(['addopts', renderValue(config, 'args', ['-p', MONITOR_MODULE])]);
    const pythonpath = getEntry(config, 'pythonpath');
    if (!pythonpath) pairs.push(['pythonpath', renderValue(config, 'paths', ['.'])]);
    else if (!listValue(config, 'pythonpath', 'paths').some((p) => resolve(target.rootDir, p) === resolve(target.rootDir))) {
      edits.push(appendItems(config, pythonpath, listItems(config, pythonpath, 'paths'), ['.']));
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
