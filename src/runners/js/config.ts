/**
 * Jest and Vitest configs: which files they are, which runner and major version reads them, and the
 * objects the rules look at (Jest's options; Vitest's `test` block and the config around it), read
 * statically through src/formats/js.ts.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Workspace } from '../../core/workspace.js';
import {
  parseConfigJs,
  property,
  readConfigValue,
  type JsArray,
  type JsObject,
  type JsProperty,
  type JsValue,
  type ParsedJs,
  type ReadSource,
  type Span,
} from '../../formats/js.js';
import { styleOf, type JsStyle } from '../../formats/js-edit.js';
import type { NodeEnvironment } from './environments.js';
import { applyJestPreset } from './presets.js';
import { runnerCommandsOf } from './scripts.js';

export type JsRunner = 'jest' | 'vitest';

const EXT = 'js|ts|mjs|cjs|mts|cts';
export const JEST_CONFIG = new RegExp(`^jest\\.config\\.(?:${EXT}|json)$`);
export const VITEST_CONFIG = new RegExp(`^vitest\\.config\\.(?:${EXT})$`);
export const VITE_CONFIG = new RegExp(`^vite\\.config\\.(?:${EXT})$`);
export const VITEST_WORKSPACE = new RegExp(`^vitest\\.workspace\\.(?:${EXT}|json)$`);
/**
 * Named configs found by the walk: `jest.int.config.js`, `vitest.node.config.ts` (run through `--config`; a
 * base that another config imports is left to the config that imports it: see the analyzer).
 */
export const NAMED_JEST_CONFIG = new RegExp(`^jest\\.[\\w-]+\\.config\\.(?:${EXT}|json)$`);
export const NAMED_VITEST_CONFIG = new RegExp(`^vitest\\.[\\w-]+\\.config\\.(?:${EXT})$`);
/** Extra configs given by path (`jest --config jest.e2e.config.js`): a runner's name and `config` in the name. */
const EXTRA_JEST = new RegExp(`^(?:jest[.-].*config.*|.*\\.jest\\.config)\\.(?:${EXT}|json)$`);
const EXTRA_VITEST = new RegExp(`^(?:vitest[.-].*config.*|.*\\.vitest\\.config)\\.(?:${EXT})$`);
/** Test files as both runners' default `testMatch`/`include` see them. */
export const TEST_FILE = /(?:\.(?:test|spec)\.[cm]?[jt]sx?|\/__tests__\/[^/]+\.[cm]?[jt]sx?)$/;

export function configKind(file: string, explicit: boolean): { runner: JsRunner; kind: JsConfigKind } | null {
  const name = basename(file);
  if (JEST_CONFIG.test(name) || NAMED_JEST_CONFIG.test(name)) return { runner: 'jest', kind: 'config' };
  if (VITEST_CONFIG.test(name) || NAMED_VITEST_CONFIG.test(name)) return { runner: 'vitest', kind: 'config' };
  if (VITE_CONFIG.test(name)) return { runner: 'vitest', kind: 'vite' };
  if (VITEST_WORKSPACE.test(name)) return { runner: 'vitest', kind: 'workspace' };
  if (name === 'package.json') return { runner: 'jest', kind: 'package-json' };
  if (explicit && EXTRA_JEST.test(name)) return { runner: 'jest', kind: 'config' };
  if (explicit && EXTRA_VITEST.test(name)) return { runner: 'vitest', kind: 'config' };
  return null;
}

export type JsConfigKind = 'config' | 'vite' | 'workspace' | 'package-json' | 'project';

export interface JsConfigTarget {
  runner: JsRunner;
  kind: JsConfigKind;
  file: string;
  text: string;
  /** The runner's major version from the nearest package.json that depends on it (else the current one). */
  version: number;
  style: JsStyle;
  /** The exported value (package.json: the `jest` property). */
  value: JsValue | null;
  /**
   * The object the runner's options live in: Jest's config, Vitest's `test` block. Null when the export is
   * not an object known without running code (a function call, an env lookup), or Vitest has no `test` block.
   */
  options: JsObject | null;
  /** Vitest: the whole config object, where a missing `test` block goes. */
  config: JsObject | null;
  /** Vitest: the `test` property. */
  testProperty: JsProperty | null;
  /** Where the config is computed at run time, if it is: the span a rule names in its "cannot be analysed" note. */
  computed: Span | null;
  /**
   * A Vitest inline project (an object in `test.projects`): its name (or position). It does not inherit the
   * root's `test` options unless it says `extends: true`, so its limits are checked on their own.
   */
  project?: string;
  /**
   * Jest: the root config whose `projects` runs this one (an inline project, or a config file it lists).
   * Options Jest reads only from the root (`testTimeout`, `workerIdleMemoryLimit`, ...) are the root's business.
   */
  jestRoot?: JsConfigTarget;
  /**
   * Jest, `projects: await getJestProjectsAsync()` (Nx): the Jest configs below this one that Nx returns as
   * its projects. They are not linked as project-only configs: `nx test <project>` runs each on its own.
   */
  nxProjects?: number;
  /** The current text of another file (a monitor module beside the config), or null. */
  read(file: string): string | null;
  /**
   * Test files (by the runners' default names) found under the walked input that holds this config, sorted;
   * null when the config was given alone and no directory around it was walked.
   */
  testFiles: readonly string[] | null;
  /**
   * Where the memory monitor goes: the directory of the nearest package.json that declares the runner (a
   * monorepo whose root declares it gets one monitor for every config), else the config's own directory.
   */
  monitorHome: string;
  /**
   * A vite.config without a `test` block whose package does not run Vitest: Vite's build config, dropped
   * unless a Vitest config or workspace lists it as a project.
   */
  viteOnly?: true;
  /**
   * The Node environments that run this config (package.json scripts, `.npmrc`, CI jobs: environments.ts),
   * read when a rule asks; absent where the config was loaded outside an analyzer run.
   */
  environments?: () => readonly NodeEnvironment[];
}

/**
 * The inline projects of a Vitest config that do not inherit its options (`extends: true` does), each as a
 * target of its own, so limits written only at the root are not taken for the projects'. With `extending`,
 * the ones that do inherit them (a rule that must write into each project asks for those).
 */
export function inlineProjects(target: JsConfigTarget, which: 'own' | 'extending' = 'own'): JsConfigTarget[] {
  if (target.runner === 'jest') return which === 'own' ? inlineJestProjects(target) : [];
  if (target.runner !== 'vitest' || !target.options) return [];
  const projects = property(target.options, 'projects');
  if (!projects || projects.value.kind !== 'array') return [];
  return projects.value.items.flatMap((item, i): JsConfigTarget[] => {
    if (item.kind !== 'object' || item.file !== target.file) return [];
    const inherits = property(item, 'extends');
    const extending = inherits !== undefined && !(inherits.value.kind === 'boolean' && !inherits.value.value);
    if (extending !== (which === 'extending')) return [];
    const test = property(item, 'test') ?? null;
    const name = test?.value.kind === 'object' ? property(test.value, 'name') : undefined;
    const project = name?.value.kind === 'string' ? name.value.value : `#${i + 1}`;
    const options = test?.value.kind === 'object' ? test.value : null;
    return [
      { ...target, kind: 'project', project, config: item, testProperty: test, options, computed: test && !options ? test.value : null },
    ];
  });
}

/** A Jest config's inline projects (objects in `projects`), each a target read with the root as its `jestRoot`. */
function inlineJestProjects(target: JsConfigTarget): JsConfigTarget[] {
  const projects = target.options ? property(target.options, 'projects') : undefined;
  if (!projects || projects.value.kind !== 'array') return [];
  return projects.value.items.flatMap((item, i): JsConfigTarget[] => {
    if (item.kind !== 'object' || item.file !== target.file) return [];
    const display = property(item, 'displayName');
    const named = display?.value.kind === 'object' ? property(display.value, 'name') : display;
    const project = named?.value.kind === 'string' ? named.value.value : `#${i + 1}`;
    return [{ ...target, kind: 'project', project, options: item, config: null, testProperty: null, computed: null, jestRoot: target }];
  });
}

/** A major that cannot be known without running anything (a runner linked from the workspace): nothing version-specific is judged. */
export const UNKNOWN_VERSION = 0;

/** The runner versions this release knows the options of (what a project without a pinned version gets). */
export const CURRENT_VERSION: Record<JsRunner, number> = { jest: 30, vitest: 4 };

/** The directory of the nearest package.json above `dir` that lists `runner`; null if none does. */
export function runnerHome(ws: Workspace, dir: string, runner: JsRunner): string | null {
  for (let d = dir; ; d = dirname(d)) {
    const manifest = join(d, 'package.json');
    const text = existsSync(manifest) ? ws.text(manifest) : null;
    if (text !== null) {
      try {
        const pkg = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, Record<string, string> | undefined>;
        if (['devDependencies', 'dependencies', 'peerDependencies'].some((k) => pkg[k]?.[runner] !== undefined)) return d;
      } catch {
        // Not JSON: reported where package.json is a target.
      }
    }
    if (dirname(d) === d) return null;
  }
}

/**
 * The major version of `runner` a directory's tests run under: the version the lock file of its workspace
 * records (package-lock.json, pnpm-lock.yaml, yarn.lock, bun.lock: what is installed), else the major of the
 * range in the nearest package.json that lists it; null if neither says.
 */
export function declaredVersion(ws: Workspace, dir: string, runner: JsRunner): number | null {
  let range: number | null = null;
  for (let d = dir; ; d = dirname(d)) {
    const manifest = join(d, 'package.json');
    const text = range === null && existsSync(manifest) ? ws.text(manifest) : null;
    if (text !== null) {
      try {
        const pkg = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, Record<string, string> | undefined>;
        const declared = pkg.devDependencies?.[runner] ?? pkg.dependencies?.[runner] ?? pkg.peerDependencies?.[runner];
        if (declared !== undefined) {
          const major = /(\d+)/.exec(declared.replace(/^npm:[^@]+@/, ''))?.[1];
          // `workspace:*`, `link:`, `file:`: the runner is built in the repository, its major unknown here.
          range =
            major !== undefined
              ? Number(major)
              : /^(?:workspace|link|file|portal):/.test(declared)
                ? UNKNOWN_VERSION
                : CURRENT_VERSION[runner];
        }
      } catch {
        // An unreadable manifest says nothing about versions; its own problems are reported where it is a target.
      }
    }
    const lock = LOCK_FILES.find((name) => existsSync(join(d, name)));
    if (lock) return lockedVersion(ws, join(d, lock), relative(d, dir), runner) ?? range;
    if (dirname(d) === d) return range;
  }
}

const LOCK_FILES = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock'];
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The major of `runner` a lock file records (for the package at `importer`, relative to the lock, where the format says). */
export function lockedVersion(ws: Workspace, lock: string, importer: string, runner: JsRunner): number | null {
  const text = ws.text(lock);
  if (text === null) return null;
  const name = escapeRe(runner);
  let found: string | undefined;
  if (lock.endsWith('package-lock.json')) {
    try {
      const packages = (JSON.parse(text) as { packages?: Record<string, { version?: string }> }).packages ?? {};
      const at = importer.split(sep).join('/');
      found = (at && packages[`${at}/node_modules/${runner}`]?.version) || packages[`node_modules/${runner}`]?.version;
    } catch {
      return null;
    }
  } else if (lock.endsWith('pnpm-lock.yaml')) {
    // importers: <path>: devDependencies: <runner>: { specifier, version } (the importer's own entry first).
    const at = importer.split(sep).join('/') || '.';
    const block = new RegExp(`\\n  ${escapeRe(at)}:\\n((?:    .*\\n|\\n)*)`).exec(text)?.[1] ?? text;
    const own = new RegExp(`\\n\\s+${name}:\\n\\s+specifier: [^\\n]*\\n\\s+version: '?([^\\n']+)`).exec(block)?.[1];
    // `link:packages/vitest`: the runner is the repository's own build; its major is not recorded.
    if (own !== undefined && !/^\d/.test(own)) return null;
    found = own ?? new RegExp(`\\n\\s+/?${name}[@/](\\d+)\\.`).exec(text)?.[1];
  } else if (lock.endsWith('yarn.lock')) {
    found = new RegExp(`^"?${name}@[^\\n]*:\\r?\\n\\s+version:? "?(\\d+)`, 'm').exec(text)?.[1];
  } else {
    found = new RegExp(`"${name}": \\["${name}@(\\d+)`).exec(text)?.[1];
  }
  const major = found ? /^(\d+)/.exec(found)?.[1] : undefined;
  return major !== undefined ? Number(major) : null;
}

/** Reads imported files from the workspace (so fixes of a base config are seen), parsing each once. */
export function sourceReader(ws: Workspace): ReadSource {
  const cache = new Map<string, ParsedJs | null>();
  return (file) => {
    if (cache.has(file)) return cache.get(file)!;
    let parsed: ParsedJs | null = null;
    if (existsSync(file)) {
      const text = ws.text(file);
      try {
        parsed = text === null ? null : parseConfigJs(file, text);
      } catch {
        parsed = null;
      }
    }
    cache.set(file, parsed);
    return parsed;
  };
}

/**
 * Whether a package.json carries a Jest config: a top-level `jest` key (a `"jest"` in devDependencies is
 * not one). Decided with JSON.parse, so the TypeScript parser (for ranges) loads only for the files that
 * have one; a package.json that is not JSON is parsed by it, to report the error with its line.
 */
export function hasJestKey(text: string): boolean {
  // Parsed even without a "jest" key in sight: a package.json that is not JSON is reported (exit 2, with
  // its line), through the full parser, never passed over.
  try {
    const data = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    return typeof data === 'object' && data !== null && !Array.isArray(data) && Object.hasOwn(data, 'jest');
  } catch {
    return true;
  }
}

/** Load a config; throws FileProblemError for a syntax error. Null when the file is not a config of this runner after all. */
export function loadJsConfig(
  ws: Workspace,
  file: string,
  text: string,
  runner: JsRunner,
  kind: JsConfigKind,
  testFiles: readonly string[] | null = null,
): JsConfigTarget | null {
  const parsed = parseConfigJs(file, text);
  let value = kind === 'package-json' ? null : readConfigValue(parsed, sourceReader(ws));
  if (kind === 'package-json') {
    const root = readConfigValue(parsed, () => null);
    const jest = root?.kind === 'object' ? property(root, 'jest') : undefined;
    if (!jest) return null;
    value = jest.value;
  }
  const base = {
    read: (f: string) => ws.text(f),
    testFiles,
    monitorHome: runnerHome(ws, dirname(file), runner) ?? dirname(file),
    runner,
    kind,
    file,
    text,
    version: declaredVersion(ws, dirname(file), runner) ?? CURRENT_VERSION[runner],
    style: styleOf(file, text),
    value,
    options: null,
    config: null,
    testProperty: null,
    computed: null,
  };
  if (value === null) return kind === 'vite' ? null : base;
  if (value.kind !== 'object') {
    return kind === 'workspace' ? base : { ...base, computed: value };
  }
  // A Jest preset's options apply under the config's own (presets.ts).
  if (runner === 'jest') return { ...base, options: applyJestPreset(value, file, sourceReader(ws)) };
  const test = property(value, 'test') ?? null;
  // A vite.config without a `test` block is Vite's, not Vitest's (unless no vitest.config is beside it and the project uses Vitest: see the analyzer).
  if (test === null) return { ...base, config: value, computed: value.opaque };
  if (test.value.kind !== 'object') return { ...base, config: value, testProperty: test, computed: test.value };
  return { ...base, config: value, testProperty: test, options: test.value };
}

/** One entry of a `projects` list, as a message names it: its label, and its test files where its directory is its own. */
export interface ProjectEntry {
  label: string;
  testFiles: number | null;
}

const FILE_LIKE = /\.(?:[cm]?[jt]s|json)$/;
const GLOB = /[*?[\]{}!]/;

/**
 * The entries of a Jest/Vitest `projects` list and whether there may be more than listed (a spread computed at
 * run time, a glob that expands to several directories): messages then say "at least N".
 */
export function projectEntries(target: JsConfigTarget, list: JsArray): { entries: ProjectEntry[]; atLeast: boolean } {
  const configDir = dirname(target.file);
  const rootDirProp = target.runner === 'jest' && target.options ? property(target.options, 'rootDir') : undefined;
  const rootDir = rootDirProp?.value.kind === 'string' ? resolve(configDir, rootDirProp.value.value) : configDir;
  let atLeast = list.opaque !== null;
  const count = (dir: string | null) => {
    if (dir === null || dir === rootDir || !target.testFiles) return null;
    const prefix = dir.endsWith(sep) ? dir : dir + sep;
    return target.testFiles.filter((f) => f.startsWith(prefix)).length;
  };
  const entries = list.items.map((item): ProjectEntry => {
    if (item.kind === 'string') {
      let path = item.value.replace(/^<rootDir>/, rootDir);
      if (GLOB.test(path)) {
        atLeast = true;
        path = globDir(path);
      } else if (FILE_LIKE.test(path)) path = dirname(resolve(rootDir, path));
      const dir = resolve(rootDir, path);
      return { label: item.value, testFiles: count(dir) };
    }
    if (item.kind === 'object') {
      const test = property(item, 'test')?.value;
      const inner = test?.kind === 'object' ? test : item;
      const name = property(inner, target.runner === 'jest' ? 'displayName' : 'name')?.value;
      const nameText =
        name?.kind === 'string'
          ? name.value
          : name?.kind === 'object' && property(name, 'name')?.value.kind === 'string'
            ? (property(name, 'name')!.value as { value: string }).value
            : null;
      const root = property(inner, target.runner === 'jest' ? 'rootDir' : 'root')?.value ?? property(item, 'root')?.value;
      const dir =
        root?.kind === 'string' ? resolve(target.runner === 'jest' ? rootDir : configDir, root.value.replace(/^<rootDir>/, rootDir)) : null;
      return { label: nameText ?? (root?.kind === 'string' ? root.value : `#${list.items.indexOf(item) + 1}`), testFiles: count(dir) };
    }
    const code = item.kind === 'computed' ? item.text.replace(/\s+/g, ' ') : '?';
    return { label: code.length > 40 ? code.slice(0, 37) + '...' : code, testFiles: null };
  });
  return { entries, atLeast };
}

/** The directory a glob starts from: its segments before the first one with a glob character. */
export function globDir(glob: string): string {
  const segments = glob.split('/');
  const fixed: string[] = [];
  for (const s of segments) {
    if (GLOB.test(s)) break;
    fixed.push(s);
  }
  return fixed.join('/') || '.';
}

/**
 * Whether the package a directory belongs to (its nearest package.json) runs Vitest: it depends on Vitest, or
 * one of its scripts runs `vitest` (hoisted from the workspace root, as pnpm and npm workspaces do).
 */
export function packageRunsVitest(ws: Workspace, dir: string): boolean {
  return vitestInPackage(ws, dir)?.runs ?? false;
}

/**
 * Whether a Vitest run in this directory's package would read a `vite.config` there (one without a `test`
 * block, with no vitest.config beside it): a script runs `vitest` without `--config`, or the package
 * depends on Vitest and no script runs it (`npx vitest` finds the vite.config). Not when every Vitest
 * script names another config (`vitest --config vitest.node.config.js`): the vite.config is then Vite's
 * build config only.
 */
export function vitestReadsViteConfig(ws: Workspace, dir: string): boolean {
  const found = vitestInPackage(ws, dir);
  if (!found) return false;
  if (found.commands.length === 0) return found.depends;
  return found.commands.some((c) => c.config === null);
}

/** The nearest package.json's relation to Vitest: declared, the Vitest commands of its scripts; null without a readable one. */
function vitestInPackage(ws: Workspace, dir: string): { runs: boolean; depends: boolean; commands: { config: string | null }[] } | null {
  for (let d = dir; ; d = dirname(d)) {
    const manifest = join(d, 'package.json');
    const text = existsSync(manifest) ? ws.text(manifest) : null;
    if (text !== null) {
      try {
        const pkg = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, Record<string, string> | undefined>;
        // Not peerDependencies: a package that peers on Vitest is a Vitest plugin, not one whose tests run under it.
        const depends = ['dependencies', 'devDependencies'].some((k) => pkg[k]?.vitest !== undefined);
        const scripts = Object.values(pkg.scripts ?? {}).filter((script): script is string => typeof script === 'string');
        const commands = scripts.flatMap((script) => runnerCommandsOf(script).filter((c) => c.runner === 'vitest'));
        const runs = depends || scripts.some((script) => /(?:^|[\s;&|(])vitest(?:\s|$)/.test(script));
        return { runs, depends, commands };
      } catch {
        return null;
      }
    }
    if (dirname(d) === d) return null;
  }
}

/** `*` within a path segment, `**` across them: whether a project glob names a directory or file. */
function globMatches(glob: string, path: string): boolean {
  const pattern = glob
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) =>
      part.startsWith('**') ? '(?:.*/)?' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${pattern}/?$`).test(path);
}

/**
 * The vite.config files the Vitest configs and workspaces list as projects (a path to the file, to its
 * directory, or a glob matching either).
 */
export function listedProjects(targets: readonly JsConfigTarget[]): (file: string) => boolean {
  const entries: string[] = [];
  for (const t of targets) {
    if (t.runner !== 'vitest' || t.kind === 'project') continue;
    const list =
      t.kind === 'workspace'
        ? t.value
        : t.options
          ? (property(t.options, 'projects')?.value ?? property(t.options, 'workspace')?.value)
          : undefined;
    if (list?.kind !== 'array') continue;
    for (const item of list.items)
      if (item.kind === 'string' && !item.value.startsWith('!')) entries.push(resolve(dirname(t.file), item.value).split(sep).join('/'));
  }
  return (file) => {
    const path = resolve(file).split(sep).join('/');
    return entries.some((e) => globMatches(e, path) || globMatches(e, dirname(path)));
  };
}
