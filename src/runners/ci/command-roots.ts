/**
 * What a pytest command line in a Compose service or CI job collects: its positional paths and whether it
 * picks another config (`-c`) or rootdir, read with shlex (each line of a script on its own).
 */
import { ShlexError, shlexSplit } from '../../formats/shlex.js';
import type { FileProblem } from '../../core/diagnostic.js';
import { Workspace } from '../../core/workspace.js';
import { listValue, type PytestConfig } from '../pytest/config.js';
import { nearestActive } from '../pytest/index.js';

/** pytest options that take the next word as their value (so it is not a path). */
const TAKES_VALUE = new Set(['-c', '--config-file', '--rootdir', '-k', '-m', '-p', '-o', '--override-ini', '--maxfail', '--timeout', '-n', '--numprocesses', '--basetemp', '--junitxml', '--deselect', '--ignore', '--ignore-glob', '--tb', '-W', '--durations', '--memory-limit-mb', '--collection-memory-limit-mb', '--memory-limit-action', '--cov']);

export interface PytestInvocation {
  paths: string[];
  /** `-c FILE` / `--rootdir DIR` given: the command does not use the discovered config. */
  ownConfig: boolean;
}

export function pytestInvocations(command: string): PytestInvocation[] {
  const out: PytestInvocation[] = [];
  for (const line of command.split(/\n|&&|;/)) {
    let words: string[];
    try {
      words = shlexSplit(line).map((t) => t.value);
    } catch (e) {
      if (e instanceof ShlexError) continue;
      throw e;
    }
    let i = words.findIndex((w, k) => /(^|\/)(pytest|py\.test)$/.test(w) || (w === 'pytest' && words[k - 1] === '-m'));
    if (i < 0) continue;
    const paths: string[] = [];
    let ownConfig = false;
    for (i++; i < words.length; i++) {
      const w = words[i]!;
      if (w === '--') continue;
      if (w.startsWith('-')) {
        const name = w.split('=')[0]!;
        if (name === '-c' || name === '--config-file' || name === '--rootdir') ownConfig = true;
        if (TAKES_VALUE.has(name) && !w.includes('=')) i++;
        continue;
      }
      paths.push(w.split('::')[0]!);
    }
    out.push({ paths, ownConfig });
  }
  return out;
}

/** The pytest config governing `dir`, found as pytest finds it; null when none, or when one on the way is broken. */
export function governingConfig(dir: string): PytestConfig | null {
  const problems: FileProblem[] = [];
  const found = nearestActive(new Workspace(), dir, problems);
  // A broken config is reported by the pytest analyzer when it is among the inputs.
  return found && problems.length === 0 ? found.config : null;
}

/** The testpaths of the pytest config governing `dir`, with the file; null if none. */
export function governingTestpaths(dir: string): { file: string; testpaths: string[] } | null {
  const config = governingConfig(dir);
  return config ? { file: config.file, testpaths: listValue(config, 'testpaths', 'args') } : null;
}
