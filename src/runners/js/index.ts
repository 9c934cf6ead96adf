/**
 * The Jest/Vitest analyzer: finds Jest and Vitest configs and JS/TS test files under the inputs and hands
 * them to the JS rules. Nothing here loads the TypeScript API until a JS/TS file is actually read: a tree
 * with only Python configs costs this analyzer one directory walk.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FileProblemError, type FileProblem } from '../../core/diagnostic.js';
import type { Analyzer, AnalyzerOutput } from '../../core/engine.js';
import { loadFile, loadProblem, type Workspace } from '../../core/workspace.js';
import { parseJs } from '../../formats/js.js';
import { NODE_MONITOR, VITEST_ADAPTER } from '../../monitor/stamp.js';
import {
  configKind,
  hasJestKey,
  inlineProjects,
  listedProjects,
  vitestReadsViteConfig,
  loadJsConfig,
  NAMED_JEST_CONFIG,
  NAMED_VITEST_CONFIG,
  VITEST_CONFIG,
  type JsConfigTarget,
  type JsRunner,
} from './config.js';
import { nodeEnvironmentReader } from './environments.js';
import { linkJestProjects } from './jest-projects.js';
import { scriptConfigs } from './scripts.js';
import { jsConfigRules, jsSourceRules } from './rules.js';
import { analyzeJsSource, mayMatterJs, type JsTestSource } from './sources.js';

export const TEST_FILE_NAME = /\.(?:test|spec)\.[cm]?[jt]sx?$/;
const SCRIPT = /\.[cm]?[jt]sx?$/;

const isTestFile = (file: string) => TEST_FILE_NAME.test(file) || (SCRIPT.test(file) && basename(dirname(file)) === '__tests__');

interface Found {
  /** `explicit`: given as an input; `runner`: named by a package.json script that runs that runner. */
  configs: Map<string, { explicit: boolean; runner?: JsRunner }>;
  tests: Set<string>;
  /** The input directories walked (every test file under them is in `tests`). */
  walked: string[];
}

/** The relative files a config imports or requires (`./jest.base.config`), resolved as Node would find them. */
function importedFiles(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\brequire\(\s*|\bimport\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const base = resolve(dirname(file), m[1]!);
    const found = ['', '.js', '.ts', '.mjs', '.cjs', '.mts', '.cts', '.json']
      .map((ext) => base + ext)
      .find((f) => existsSync(f) && statSync(f).isFile());
    if (found) out.push(found);
  }
  return out;
}

/**
 * Named configs the walk found (`jest.base.config.js`) that another config imports are shared bases, read
 * through the configs that import them; checked on their own they would be blamed for options the
 * importing config sets.
 */
function dropImportedBases(ws: Workspace, found: Found): void {
  const named = [...found.configs].filter(
    ([file, how]) => !how.explicit && !how.runner && (NAMED_JEST_CONFIG.test(basename(file)) || NAMED_VITEST_CONFIG.test(basename(file))),
  );
  if (named.length === 0) return;
  const imported = new Set<string>();
  for (const file of found.configs.keys()) {
    if (file.endsWith('package.json')) continue;
    const text = ws.text(file);
    if (text !== null) for (const f of importedFiles(file, text)) imported.add(f);
  }
  for (const [file] of named) if (imported.has(file)) found.configs.delete(file);
}

/** Configs named by `--config` in a package.json's scripts, added with the runner the script runs. */
function addScriptConfigs(ws: Workspace, manifest: string, found: Found): void {
  const text = ws.text(manifest);
  if (text === null) return;
  for (const { file, runner } of scriptConfigs(text, dirname(manifest))) {
    let isFile: boolean;
    try {
      isFile = statSync(file).isFile();
    } catch {
      continue;
    }
    const known = found.configs.get(file);
    if (isFile && !known?.explicit) found.configs.set(file, { explicit: false, runner });
  }
}

/**
 * Files judged through the project around them, not on their own; given alone (pre-commit passes only the
 * changed files), they are read with the configs that judge them. The memory monitor modules: the configs
 * next to them, which load them. A runner-named file (`ci/jest-e2e.js`): itself, when a script of the
 * nearest package.json names it as a config (`jest --config ci/jest-e2e.js`).
 */
const MONITOR_MODULES: readonly string[] = [NODE_MONITOR.file, VITEST_ADAPTER.file];
const RUNNER_NAMED = /^(?:jest|vitest)[.-][^/]*\.(?:[cm]?[jt]s|json)$/;

function addJudgingConfigs(ws: Workspace, file: string, found: Found): void {
  if (MONITOR_MODULES.includes(basename(file))) {
    const dir = dirname(file);
    for (const name of readdirSync(dir))
      if (configKind(name, false) && !found.configs.has(join(dir, name))) found.configs.set(join(dir, name), { explicit: false });
    return;
  }
  if (!RUNNER_NAMED.test(basename(file))) return;
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const named: Found = { configs: new Map(), tests: new Set(), walked: [] };
      addScriptConfigs(ws, isAbsolute(file) ? manifest : relative(process.cwd(), manifest), named);
      const how = named.configs.get(file);
      if (how && !found.configs.has(file)) found.configs.set(file, how);
      return;
    }
    if (dirname(dir) === dir) return;
  }
}

function find(ws: Workspace, inputs: readonly string[]): Found {
  const found: Found = { configs: new Map(), tests: new Set(), walked: [] };
  for (const input of inputs) {
    let isDir: boolean;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      continue;
    }
    if (!isDir) {
      if (configKind(input, true)) found.configs.set(input, { explicit: true });
      else if (isTestFile(input)) found.tests.add(input);
      else addJudgingConfigs(ws, input, found);
      continue;
    }
    found.walked.push(input);
    for (const { dir, entries } of ws.walk(input)) {
      for (const e of entries) {
        if (!e.isFile()) continue;
        const path = join(dir, e.name);
        if (configKind(path, false)) {
          if (!found.configs.has(path)) found.configs.set(path, { explicit: false });
          if (e.name === 'package.json') addScriptConfigs(ws, path, found);
        } else if (isTestFile(path)) found.tests.add(path);
      }
    }
  }
  dropImportedBases(ws, found);
  return found;
}

/** A package.json that Node (and so npm, Jest, Vitest) cannot read, with the line and column JSON.parse gives. */
function strictJsonProblem(file: string, text: string): FileProblem | null {
  try {
    JSON.parse(text.replace(/^\uFEFF/, ''));
    return null;
  } catch (e) {
    const message = (e as Error).message;
    const at = Number(/at position (\d+)/.exec(message)?.[1] ?? 0);
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    return {
      file,
      line,
      column: at - (before.lastIndexOf('\n') + 1) + 1,
      message: `JSON syntax error: ${message.replace(/ in JSON at position \d+.*$/, '')}`,
    };
  }
}

function loadConfig(
  ws: Workspace,
  file: string,
  problems: FileProblem[],
  testFiles: readonly string[] | null,
  runner?: JsRunner,
): JsConfigTarget | null {
  // A config a script names (`jest --config ci/jest.js`) is that runner's, whatever its name.
  const kind = runner && basename(file) !== 'package.json' ? { runner, kind: 'config' as const } : configKind(file, true)!;
  const text = ws.text(file);
  if (text === null) {
    const p = ws.problem(file);
    if (p) problems.push(p);
    return null;
  }
  // Most package.json files carry no Jest config: decide on the text before parsing.
  if (kind.kind === 'package-json' && !hasJestKey(text)) return null;
  if (kind.kind === 'package-json') {
    const invalid = strictJsonProblem(file, text);
    if (invalid) {
      // TypeScript's JSON parser names most mistakes best; it forgives some JSON.parse does not (a bare word).
      try {
        loadJsConfig(ws, file, text, kind.runner, kind.kind, testFiles);
      } catch (e) {
        if (!(e instanceof FileProblemError)) throw e;
        problems.push(e.problem);
        return null;
      }
      problems.push(invalid);
      return null;
    }
  }
  try {
    const target = loadJsConfig(ws, file, text, kind.runner, kind.kind, testFiles);
    if (!target || target.kind !== 'vite') return target;
    // Vitest reads vitest.config over vite.config; a vite.config without a `test` block is Vitest's only where
    // a Vitest run would read it: its package runs `vitest` without `--config` (or depends on Vitest and runs
    // no Vitest script), or a Vitest project list names it (decided once every config is read).
    const dir = dirname(file);
    if (readdirSync(dir).some((n) => VITEST_CONFIG.test(n))) return null;
    return target.testProperty || vitestReadsViteConfig(ws, dir) ? target : { ...target, viteOnly: true };
  } catch (e) {
    if (e instanceof FileProblemError) {
      problems.push(e.problem);
      return null;
    }
    throw e;
  }
}

export const jsAnalyzer: Analyzer = {
  name: 'jest/vitest',
  get rules() {
    return [...jsConfigRules(), ...jsSourceRules()];
  },
  filePatterns: [
    String.raw`package\.json`,
    String.raw`(jest|vitest|vite)\.config\.[cm]?[jt]s`,
    String.raw`jest\.config\.json`,
    String.raw`vitest\.workspace\.([cm]?[jt]s|json)`,
    String.raw`[^/]*\.(test|spec)\.[cm]?[jt]sx?`,
    String.raw`__tests__/[^/]*\.[cm]?[jt]sx?`,
    // A config a package.json script may name (`jest --config ci/jest-e2e.js`; a setup file is not one), and
    // the monitor modules.
    String.raw`(jest|vitest)[.-](?!setup[.-])[^/]*\.([cm]?[jt]s|json)`,
    ...[NODE_MONITOR.file, VITEST_ADAPTER.file].map((f) => f.replace(/\./g, '\\.')),
  ],
  async analyze(ws, inputs, ignored): Promise<AnalyzerOutput> {
    const problems: FileProblem[] = [];
    const { configs, tests, walked } = find(ws, inputs);
    const testFiles = [...tests]
      .filter((f) => !ignored?.(f))
      .map((f) => resolve(f))
      .sort();
    const walkedDirs = walked.map((d) => resolve(d) + sep);
    const targets: JsConfigTarget[] = [];
    for (const [file, how] of [...configs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (ignored?.(file)) continue;
      const target = loadConfig(ws, file, problems, walkedDirs.some((d) => resolve(file).startsWith(d)) ? testFiles : null, how.runner);
      if (target) targets.push(target, ...inlineProjects(target));
    }
    linkJestProjects(targets);
    const environments = await nodeEnvironmentReader(ws, targets);
    for (const t of targets) t.environments = () => environments(t);
    // A build-only vite.config is checked only when a Vitest config or workspace lists it as a project.
    const listed = listedProjects(targets);
    for (let i = targets.length - 1; i >= 0; i--) {
      const t = targets[i]!;
      if (t.viteOnly && !listed(t.file)) targets.splice(i, 1);
    }
    const sources: JsTestSource[] = [];
    const kinds = new Map<string, string>(targets.map((t) => [t.file, 'config']));
    const sourceFiles = [...tests].sort();
    for (const [i, file] of sourceFiles.entries()) {
      ws.progress?.(i + 1, sourceFiles.length);
      if (ignored?.(file)) continue;
      const source = await loadFile(ws, file, problems, (text) => {
        // A test file the prefilter sets aside was read as text but never parsed.
        kinds.set(file, 'test file, text only (nothing a rule reports on)');
        if (!mayMatterJs(text)) return undefined;
        kinds.set(file, 'test file');
        return analyzeJsSource(file, text);
      });
      if (source) sources.push(source);
    }
    const runs = [
      ...targets.flatMap((target) => jsConfigRules().map((rule) => ({ rule, target }))),
      ...sources.flatMap((target) => jsSourceRules().map((rule) => ({ rule, target }))),
    ];
    return { runs, problems, files: [...targets.map((t) => t.file), ...sources.map((s) => s.file)], kinds };
  },
  verify(ws, file) {
    if (!configKind(file, true) && !isTestFile(file)) return null;
    return loadProblem(ws, file, (text) => {
      parseJs(file, text);
      if (!file.endsWith('.json')) return;
      try {
        JSON.parse(text.replace(/^\uFEFF/, ''));
      } catch (e) {
        throw new FileProblemError({ file, message: `JSON syntax error: ${(e as Error).message}` });
      }
    });
  },
};
