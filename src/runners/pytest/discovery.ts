/**
 * Which files pytest reads as its config, found the way pytest finds them (`locate_config`): in each
 * directory the first of CONFIG_NAMES that holds pytest config wins; the others that also hold some are
 * ignored by pytest (it says so in its header), and netra-migrate says so too.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CONFIG_NAMES } from './config.js';
import { isFile } from '../../core/walk.js';

export interface ConfigCandidate {
  file: string;
  /** Given on the command line: read as `pytest -c FILE` reads it. */
  explicit: boolean;
}

export function isConfigName(name: string): boolean {
  return (CONFIG_NAMES as readonly string[]).includes(name);
}

/** Config files present in a directory, in pytest's order of precedence. */
export function configFilesIn(dir: string, names: ReadonlySet<string>): string[] {
  return CONFIG_NAMES.filter((n) => names.has(n)).map((n) => join(dir, n));
}

/** The nearest directory at or above `start` with a config file name in it (whether it holds pytest config is decided by reading). */
export function configDirsUpward(start: string): string[] {
  const out: string[] = [];
  let dir = start;
  for (;;) {
    if (CONFIG_NAMES.some((n) => isFile(join(dir, n)))) out.push(dir);
    const parent = dirname(dir);
    if (parent === dir) return out;
    // Stop at a repository root: a config above it belongs to another project.
    if (existsSync(join(dir, '.git'))) return out;
    dir = parent;
  }
}

export { basename };
