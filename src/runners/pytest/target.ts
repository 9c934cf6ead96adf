import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getEntry, listItems, listValue, typedValue, type ConfigEntry, type ConfigItem, type PytestConfig } from './config.js';
import { flagSpec, keyInfo } from './schema.js';
import { valuesTaken, type FlagSpec } from './schema-types.js';
import { plugins } from './plugins.js';
import { skippedDir, walkDirs, type WalkOptions } from '../../core/walk.js';
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
   * What an earlier run learned about a file's text while the file is unchanged (Workspace.cachedFact), so a
   * reader that only needs that can skip the file unread; undefined when nothing is known.
   */
  cachedFact?(path: string): unknown;
  /** How this run walks a directory without ignore files (pytest ignores none): the run's shared listings. */
  listing?: WalkOptions;
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
  /** `check --measurement FILE`: the saved measurement single-test-root cites (default: found from rootDir up). */
  measurement?: string;
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
  /** How many following items are its values (`nargs='+'` takes several); 1 when `valueIndex` is set alone. */
  valueCount?: number;
  known: boolean;
}

/** A flag's arity as conftest.py and local plugins register it (`project.local.flags`). */
export type LocalFlags = ReadonlyMap<string, Pick<FlagSpec, 'value' | 'nargs'>>;

/**
 * Read `addopts` the way pytest's argparse parser reads it: long options with `=` or a separate value,
 * bundled short options (`-ra` is `-r a`, `-vvx` is `-v -v -x`), `--` ending options. Only names that some
 * schema declares are known; pytest sets `allow_abbrev=False`, so prefixes are not expanded.
 */
type ParsedAddopts = { entry: ConfigEntry; items: ConfigItem[] | null; tokens: AddoptToken[] } | null;
/** One parse per config text: every rule asks, and a 20,000-line addopts made that quadratic. */
const parsedAddopts = new WeakMap<PytestConfig, ParsedAddopts>();
const parsedWithLocal = new WeakMap<LocalFlags, WeakMap<PytestConfig, ParsedAddopts>>();

/**
 * `local`: the flags the project's conftest.py and local plugins register, so their values (`--run-env
 * staging`, `--targets a b`) are not read as paths; rules that have the project pass `project.local.flags`.
 */
export function parseAddopts(config: PytestConfig, local?: LocalFlags): ParsedAddopts {
  let cache = parsedAddopts;
  if (local && local.size > 0) {
    cache = parsedWithLocal.get(local) ?? new WeakMap();
    parsedWithLocal.set(local, cache);
  } else local = undefined;
  if (cache.has(config)) return cache.get(config)!;
  const parsed = parseAddoptsUncached(config, local);
  cache.set(config, parsed);
  return parsed;
}

function parseAddoptsUncached(config: PytestConfig, local: LocalFlags | undefined): ParsedAddopts {
  const entry = getEntry(config, 'addopts');
  if (!entry) return null;
  const typed = typedValue(config, entry, 'args');
  if (!typed.ok || !Array.isArray(typed.value)) return null;
  const values = typed.value as string[];
  const items = listItems(config, entry, 'args');
  const itemAt = (i: number): ConfigItem => items?.[i] ?? { value: values[i]!, start: entry.valueStart, end: entry.valueEnd };
  const tokens: AddoptToken[] = [];
  let optionsEnded = false;
  /** Gives `token` the values its flag takes after item `at`; how many it took. */
  const takeValues = (token: AddoptToken, arity: Pick<FlagSpec, 'value' | 'nargs'>, at: number): number => {
    const n = valuesTaken(arity, values, at + 1);
    if (n > 0) {
      token.value = values[at + 1];
      token.valueIndex = at + 1;
      token.valueCount = n;
    }
    return n;
  };
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
      // A registry plugin's or conftest's flag is not known here (whether the project has the plugin is the
      // rules' call), but its arity is: `--record-mode none` is one option, not an option and a path.
      const arity =
        spec ??
        local?.get(name) ??
        plugins()
          .byFlag(name)
          ?.flags.find((f) => f.names.includes(name));
      if (eq >= 0) token.value = v.slice(eq + 1);
      // A single optional value (`nargs='?'`) is left as written, as before; `nargs='*'` takes what follows.
      else if (arity && (arity.value === 'required' || arity.nargs !== undefined)) i += takeValues(token, arity, i);
      tokens.push(token);
      continue;
    }
    // Short options, possibly bundled.
    for (let k = 1; k < v.length; k++) {
      const name = `-${v[k]}`;
      const known = flagSpec(name);
      const spec = known ?? local?.get(name);
      const token: AddoptToken = { item: itemAt(i), index: i, flag: name, known: !!known };
      tokens.push(token);
      if (!spec) break;
      if (spec.value !== 'none') {
        const rest = v.slice(k + 1).replace(/^=/, '');
        if (rest) token.value = rest;
        else if (spec.value === 'required') i += takeValues(token, spec, i);
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
 * Whether the suite uses pytest-asyncio: its keys in the config, it in `required_plugins`, the project
 * declaring, locking or having it installed (`project`, from the dependencies reader), or it named in the
 * dependency files next to the config. `-p no:asyncio` switches it off. Every file is read through the run
 * (`target.read`), so the answer is about the text the run holds, fixes of earlier passes included.
 */
export function usesPytestAsyncio(target: PytestTarget, project?: PytestProject | null): boolean {
  const { config } = target;
  if (addoptsPlugins(config).some((p) => p === 'no:asyncio' || p === 'no:pytest_asyncio')) return false;
  if (config.entries.some((e) => keyInfo(e.key)?.plugin === 'pytest-asyncio')) return true;
  if (listValue(config, 'required_plugins', 'args').some((p) => /^pytest[-_]asyncio\b/i.test(p))) return true;
  if (project?.present.has('pytest-asyncio')) return true;
  // A mention the dependencies reader cannot place (a computed setup.py list, a tox command) still counts.
  return ASYNCIO_MENTION_FILES.some((name) => /pytest[-_]asyncio/i.test(target.read(join(target.rootDir, name)) ?? ''));
}

const ASYNCIO_MENTION_FILES = [
  'pyproject.toml',
  'setup.cfg',
  'setup.py',
  'tox.ini',
  'requirements.txt',
  'requirements-dev.txt',
  'requirements-test.txt',
  'requirements_dev.txt',
  'dev-requirements.txt',
  'test-requirements.txt',
];

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

/**
 * Expand one `testpaths` entry as pytest does (`glob.iglob(entry, recursive=True)` from rootdir): a plain
 * path stands for itself when it exists, `*`/`?`/`[...]` match within one name and skip names starting with
 * a dot unless the pattern part does, `**` matches any depth of directories (and the files in them when it
 * is the last part). An entry that matches nothing is skipped, as pytest skips it.
 */
export function expandTestpath(rootDir: string, entry: string): string[] {
  const isGlob = (part: string) => /[*?[]/.test(part);
  if (!isGlob(entry)) return exists(join(rootDir, entry)) ? [join(rootDir, entry)] : [];
  const parts = entry.split('/').filter(Boolean);
  let current = [entry.startsWith('/') ? '/' : rootDir];
  parts.forEach((part, index) => {
    const last = index === parts.length - 1;
    const next: string[] = [];
    for (const dir of current) {
      if (part === '**') {
        for (const { dir: d, entries } of walkDirs(dir)) {
          if (
            relative(dir, d)
              .split(/[\\/]/)
              .some((name) => name.startsWith('.'))
          )
            continue;
          next.push(d);
          if (last) for (const e of entries) if (e.isFile() && !e.name.startsWith('.')) next.push(join(d, e.name));
        }
        continue;
      }
      if (!isGlob(part)) {
        if (exists(join(dir, part))) next.push(join(dir, part));
        continue;
      }
      const re = fnmatchRegExp(part);
      const dotted = part.startsWith('.');
      try {
        for (const name of readdirSync(dir)) if (re.test(name) && (dotted || !name.startsWith('.'))) next.push(join(dir, name));
      } catch {
        // Not a directory.
      }
    }
    current = [...new Set(next)];
  });
  return current.sort();
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `--doctest-glob` patterns in addopts (pytest's default is `test*.txt`). */
export function doctestGlobs(config: PytestConfig): string[] {
  const given = (parseAddopts(config)?.tokens ?? []).filter((t) => t.flag === '--doctest-glob' && t.value).map((t) => t.value!);
  return given.length > 0 ? given : ['test*.txt'];
}

/** What pytest collects from one `testpaths` entry: test modules, doctest text files, and the tests of files named directly. */
export interface Collected {
  /** Directories the entry expands to: roots pytest walks. */
  dirs: number;
  /** Test modules found under those directories (python_files patterns). */
  modules: number;
  /** Text files collected as doctests (`--doctest-glob`, default `test*.txt`). */
  doctests: number;
  /** Files the entry names directly, collected whatever their name, and the tests they define. */
  files: number;
  tests: number;
}

/** Test functions a module defines (`def test…` and methods of test classes), by python_functions prefixes or globs. */
function countTests(text: string, functions: RegExp[]): number {
  let n = 0;
  for (const m of text.matchAll(/^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\(/gm)) if (functions.some((re) => re.test(m[1]!))) n++;
  return n;
}

/** What pytest collects from one `testpaths` entry, globs expanded as pytest expands them. */
export function collectedFrom(target: PytestTarget, entry: string): Collected {
  const patterns = listValue(target.config, 'python_files', 'args');
  const modules = (patterns.length > 0 ? patterns : DEFAULT_PYTHON_FILES).map(fnmatchRegExp);
  const docs = doctestGlobs(target.config).map(fnmatchRegExp);
  const fnPatterns = listValue(target.config, 'python_functions', 'args');
  // python_functions entries are name prefixes, or globs when they hold glob characters.
  const functions = (fnPatterns.length > 0 ? fnPatterns : ['test']).map((p) =>
    /[*?[]/.test(p) ? fnmatchRegExp(p) : new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
  );
  const out: Collected = { dirs: 0, modules: 0, doctests: 0, files: 0, tests: 0 };
  for (const path of expandTestpath(target.rootDir, entry)) {
    if (!isDirectory(path)) {
      out.files++;
      if (path.endsWith('.py')) out.tests += countTests(target.read(path) ?? '', functions);
      else if (/\.(txt|rst|md)$/.test(path)) out.doctests++;
      continue;
    }
    out.dirs++;
    for (const { entries } of walkDirs(path, target.listing)) {
      for (const e of entries) {
        if (!e.isFile()) continue;
        if (e.name.endsWith('.py') && modules.some((r) => r.test(e.name))) out.modules++;
        else if (docs.some((r) => r.test(e.name))) out.doctests++;
      }
    }
  }
  return out;
}

/** How many files under `path` pytest would collect as test modules (python_files patterns). */
export function countTestFiles(target: PytestTarget, path: string): number {
  return collectedFrom(target, path).modules;
}

/** "tests (3 test files)", ".github/scripts/test_ci.py (6 tests)", "docs (2 test files, 4 doctest files)". */
export function describeCollected(entry: string, c: Collected): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (c.dirs > 0 || c.files === 0) parts.push(plural(c.modules, 'test file'));
  if (c.files > 0 && c.tests > 0) parts.push(plural(c.tests, 'test'));
  if (c.doctests > 0) parts.push(plural(c.doctests, 'doctest file'));
  return `${entry} (${parts.join(', ') || plural(0, 'test')})`;
}

export function displayPath(from: string, path: string): string {
  return relative(from, path).split('\\').join('/') || '.';
}

export { skippedDir };
