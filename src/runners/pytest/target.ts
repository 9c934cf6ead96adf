import { readdirSync } from 'node:fs';
import { readOptionalTextFile } from '../../core/fs.js';
import { join, relative } from 'node:path';
import { getEntry, listItems, listValue, typedValue, type ConfigEntry, type ConfigItem, type PytestConfig } from './config.js';
import { flagSpec, keyInfo } from './schema.js';
import { skippedDir, walkDirs } from '../../core/walk.js';
import type { PytestSource } from './sources.js';
import type { PytestProject } from './project.js';

export type ConfigRole = 'active' | 'shadowed' | 'inert';

/** What a pytest rule looks at: one config file and where it stands. */
export interface PytestTarget {
  config: PytestConfig;
  role: ConfigRole;
  /** pytest's rootdir for this config: the directory of the file. */
  rootDir: string;
  /** For a shadowed config, the file pytest reads instead. */
  shadowedBy?: string;
  /**
   * Read another file of the project through the run's workspace (null when it does not exist or cannot be
   * read), so a rule sees what earlier fix passes wrote: the monitor module a pass created is not created again.
   */
  read(path: string): string | null;
  /**
   * The Python sources this config governs, parsed — only when the run scans them (a directory or .py
   * input); undefined for a run on config files alone, so rules that need them stay conservative.
   */
  sources?: PytestSource[];
  /**
   * The project around the config (declared dependencies, installed plugins, conftest registrations), read
   * once per analysis pass; undefined where a target is built outside an analysis (then rules assume nothing).
   */
  project?: () => Promise<PytestProject>;
}

export interface AddoptToken {
  item: ConfigItem;
  /** Index into the addopts items. */
  index: number;
  /** The option name as argparse sees it (`--timeout`, `-p`), or null for a positional argument. */
  flag: string | null;
  /** The value given inline (`--timeout=5`, `-ra`) or as the next token. */
  value?: string;
  valueIndex?: number;
  known: boolean;
}

/**
 * Read `addopts` the way pytest's argparse parser reads it: long options with `=` or a separate value,
 * bundled short options (`-ra` is `-r a`, `-vvx` is `-v -v -x`), `--` ending options. Only names that some
 * schema declares are known; pytest sets `allow_abbrev=False`, so prefixes are not expanded.
 */
export function parseAddopts(config: PytestConfig): { entry: ConfigEntry; items: ConfigItem[] | null; tokens: AddoptToken[] } | null {
  const entry = getEntry(config, 'addopts');
  if (!entry) return null;
  const typed = typedValue(config, entry, 'args');
  if (!typed.ok || !Array.isArray(typed.value)) return null;
  const values = typed.value as string[];
  const items = listItems(config, entry, 'args');
  const itemAt = (i: number): ConfigItem => items?.[i] ?? { value: values[i]!, start: entry.valueStart, end: entry.valueEnd };
  const tokens: AddoptToken[] = [];
  let optionsEnded = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (optionsEnded || v === '-' || !v.startsWith('-') || /^-\d/.test(v)) {
      tokens.push({ item: itemAt(i), index: i, flag: null, known: true });
      continue;
    }
    if (v === '--') {
      optionsEnded = true;
      tokens.push({ item: itemAt(i), index: i, flag: null, known: true });
      continue;
    }
    if (v.startsWith('--')) {
      const eq = v.indexOf('=');
      const name = eq >= 0 ? v.slice(0, eq) : v;
      const spec = flagSpec(name);
      const token: AddoptToken = { item: itemAt(i), index: i, flag: name, known: !!spec };
      if (eq >= 0) token.value = v.slice(eq + 1);
      else if (spec?.value === 'required' && i + 1 < values.length) {
        token.value = values[i + 1];
        token.valueIndex = i + 1;
        i++;
      }
      tokens.push(token);
      continue;
    }
    // Short options, possibly bundled.
    for (let k = 1; k < v.length; k++) {
      const name = `-${v[k]}`;
      const spec = flagSpec(name);
      const token: AddoptToken = { item: itemAt(i), index: i, flag: name, known: !!spec };
      tokens.push(token);
      if (!spec) break;
      if (spec.value !== 'none') {
        const rest = v.slice(k + 1).replace(/^=/, '');
        if (rest) token.value = rest;
        else if (spec.value === 'required' && i + 1 < values.length) {
          token.value = values[i + 1];
          token.valueIndex = i + 1;
          i++;
        }
        break;
      }
    }
  }
  return { entry, items, tokens };
}

export function addoptsFlag(config: PytestConfig, ...names: string[]): AddoptToken | undefined {
  return parseAddopts(config)?.tokens.find((t) => t.flag !== null && names.includes(t.flag));
}

/** `-p NAME` / `-p no:NAME` values in addopts. */
export function addoptsPlugins(config: PytestConfig): string[] {
  return (parseAddopts(config)?.tokens ?? []).filter((t) => t.flag === '-p' && t.value).map((t) => t.value!);
}

/**
 * Whether the suite uses pytest-asyncio: its keys in the config, it in `required_plugins`, or it named in the
 * project's dependency files next to the config. `-p no:asyncio` switches it off.
 */
export function usesPytestAsyncio(target: PytestTarget): boolean {
  const { config } = target;
  if (addoptsPlugins(config).some((p) => p === 'no:asyncio' || p === 'no:pytest_asyncio')) return false;
  if (config.entries.some((e) => keyInfo(e.key)?.plugin === 'pytest-asyncio')) return true;
  if (listValue(config, 'required_plugins', 'args').some((p) => /^pytest[-_]asyncio\b/i.test(p))) return true;
  for (const name of ['pyproject.toml', 'setup.cfg', 'setup.py', 'tox.ini', 'requirements.txt', 'requirements-dev.txt', 'requirements-test.txt', 'requirements_dev.txt', 'dev-requirements.txt', 'test-requirements.txt']) {
    // Through the one safe read: a FIFO or device named like a dependency file is an error, never a hang.
    if (/pytest[-_]asyncio/i.test(readOptionalTextFile(join(target.rootDir, name)) ?? '')) return true;
  }
  return false;
}

const DEFAULT_PYTHON_FILES = ['test_*.py', '*_test.py'];

/** Python's fnmatch (case-sensitive, as on POSIX) as a RegExp. */
export function fnmatchRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, close);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** Expand one `testpaths` entry (pytest globs them relative to rootdir; no match means the entry is skipped). */
export function expandTestpath(rootDir: string, entry: string): string[] {
  if (!/[*?[]/.test(entry)) return [join(rootDir, entry)];
  const parts = entry.split('/').filter(Boolean);
  let current = [rootDir];
  for (const part of parts) {
    const next: string[] = [];
    for (const dir of current) {
      if (part === '**') {
        for (const { dir: d } of walkDirs(dir)) next.push(d);
        continue;
      }
      if (!/[*?[]/.test(part)) {
        next.push(join(dir, part));
        continue;
      }
      const re = fnmatchRegExp(part);
      try {
        for (const name of readdirSync(dir)) if (re.test(name) && !name.startsWith('.')) next.push(join(dir, name));
      } catch {
        // Not a directory.
      }
    }
    current = next;
  }
  return current;
}

/** How many files under `path` pytest would collect as test modules (python_files patterns). */
export function countTestFiles(target: PytestTarget, path: string): number {
  const patterns = listValue(target.config, 'python_files', 'args');
  const res = (patterns.length > 0 ? patterns : DEFAULT_PYTHON_FILES).map(fnmatchRegExp);
  let n = 0;
  for (const root of expandTestpath(target.rootDir, path)) {
    for (const { entries } of walkDirs(root)) {
      for (const e of entries) if (e.isFile() && e.name.endsWith('.py') && res.some((r) => r.test(e.name))) n++;
    }
  }
  return n;
}

export function displayPath(from: string, path: string): string {
  return relative(from, path).split('\\').join('/') || '.';
}

export { skippedDir };
