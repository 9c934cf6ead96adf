/**
 * The pytest analyzer: finds the config files under the inputs, decides for each directory which one
 * pytest reads (the others are shadowed), and hands every config to the pytest rules.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { FileProblemError, type FileProblem } from '../../core/diagnostic.js';
import type { Analyzer, AnalyzerOutput } from '../../core/engine.js';
import { isFile } from '../../core/walk.js';
import type { Workspace } from '../../core/workspace.js';
import { CONFIG_NAMES, loadPytestConfig, type PytestConfig } from './config.js';
import { configDirsUpward, configFilesIn, isConfigName } from './discovery.js';
import { deriveProfiles, PROFILES } from './profiles.js';
import { pytestRules } from './rules.js';
import { waitsForSection } from './edit.js';
import type { PytestRule } from './rule-kit.js';
import { isPythonSource, loadSources, sourceFilesOf } from './sources.js';
import { registeredMarks, strictMarkers } from './markers.js';
import { pythonSyntaxError } from '../../formats/python.js';
import { cpythonVerdictOf } from '../../formats/cpython.js';
import type { PytestTarget } from './target.js';
import { ProjectCache } from './project.js';
import { projectVenvPython } from './installed.js';
import { MONITOR_FILE } from '../../monitor/stamp.js';

export type FoundTarget = Omit<PytestTarget, 'read'>;

/**
 * Each config file's reading, per run and text: every directory's lookup of its config (nearestActive, asked
 * for each source, environment and root) would otherwise parse the same tox.ini or setup.cfg again (42 times
 * in one run on a public repository). Nothing mutates a loaded config, so one object serves every caller.
 */
const loaded = new WeakMap<
  Workspace,
  Map<string, { text: string; explicit: boolean; config: PytestConfig | null; problem: FileProblem | null }>
>();

function load(ws: Workspace, file: string, explicit: boolean, problems: FileProblem[]): PytestConfig | null {
  const text = ws.text(file);
  if (text === null) {
    const p = ws.problem(file);
    if (p) problems.push(p);
    return null;
  }
  let byFile = loaded.get(ws);
  if (!byFile) loaded.set(ws, (byFile = new Map()));
  const hit = byFile.get(file);
  if (hit && hit.text === text && hit.explicit === explicit) {
    if (hit.problem) problems.push(hit.problem);
    return hit.config;
  }
  let config: PytestConfig | null = null;
  let problem: FileProblem | null = null;
  try {
    config = loadPytestConfig(file, text, explicit);
  } catch (e) {
    if (!(e instanceof FileProblemError)) throw e;
    problem = e.problem;
    problems.push(problem);
  }
  byFile.set(file, { text, explicit, config, problem });
  return config;
}

/** Resolve one directory's config files the way pytest's `locate_config` does. */
function targetsInDir(ws: Workspace, dir: string, names: ReadonlySet<string>, problems: FileProblem[]): FoundTarget[] {
  const out: FoundTarget[] = [];
  let winner: string | undefined;
  for (const file of configFilesIn(dir, names)) {
    const config = load(ws, file, false, problems);
    if (!config) continue;
    if (config.inert) out.push({ config, role: 'inert', rootDir: dir });
    else if (!winner) {
      winner = file;
      out.push({ config, role: 'active', rootDir: dir });
    } else out.push({ config, role: 'shadowed', rootDir: dir, shadowedBy: winner });
  }
  return out;
}

/** A found config as a target of this run: it reads files, cached facts and directories through the workspace. */
function runTarget(ws: Workspace, found: FoundTarget): PytestTarget {
  return {
    ...found,
    read: (path: string) => ws.text(path),
    cachedFact: (path: string) => (ws.edited(path) ? undefined : ws.cachedFact(path)),
    listing: ws.listingOptions,
  };
}

export function collectPytestTargets(ws: Workspace, inputs: readonly string[]): { targets: PytestTarget[]; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  const targets = new Map<string, PytestTarget>();
  const add = (list: FoundTarget[]) => {
    for (const t of list) if (!targets.has(t.config.file)) targets.set(t.config.file, runTarget(ws, t));
  };
  for (const input of inputs) {
    let isDir: boolean;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      // A broken link, a missing path: the workspace reports it as the file problem it is.
      ws.load(input);
      const p = ws.problem(input);
      if (p) problems.push(p);
      continue;
    }
    if (!isDir) {
      const name = basename(input);
      if (isConfigName(name)) {
        // A standard name: read as pytest's discovery would, with its siblings deciding its role.
        const dir = dirname(input);
        const siblings = new Set(CONFIG_NAMES.filter((n) => n === name || ws.text(resolve(dir, n)) !== null));
        add(targetsInDir(ws, dir, siblings, problems).filter((t) => t.config.file === input || t.role === 'active'));
      } else if (/\.(ya?ml|json|[cm]?[jt]sx?)$/.test(name)) {
        // Compose/CI YAML and JS/TS configs belong to other analyzers.
      } else {
        // Any other file is a profile used as `pytest -c FILE`.
        const config = load(ws, input, true, problems);
        if (config) add([{ config, role: 'active', rootDir: dirname(input) }]);
      }
      continue;
    }
    let foundAtTop = false;
    for (const { dir, entries } of ws.walk(input)) {
      // pytest reads a config through a symbolic link too (the link is read, never written: see writeFileAtomic).
      const names = new Set(
        entries.filter((e) => isConfigName(e.name) && (e.isFile() || (e.isSymbolicLink() && isFile(join(dir, e.name))))).map((e) => e.name),
      );
      if (names.size === 0) continue;
      const found = targetsInDir(ws, dir, names, problems);
      if (dir === input && found.some((t) => t.role === 'active')) foundAtTop = true;
      add(found);
    }
    if (!foundAtTop) {
      // No config at the top: pytest run there would use the nearest one above.
      const above = nearestActive(ws, dirname(input));
      if (above) add([above]);
    }
  }
  return { targets: [...targets.values()], problems };
}

/**
 * The config pytest would use for `start` (a directory): the active one of the nearest directory at or above
 * it that holds pytest config. `problems` collects the files that could not be read on the way.
 */
export function nearestActive(ws: Workspace, start: string, problems: FileProblem[] = []): FoundTarget | undefined {
  for (const dir of configDirsUpward(start)) {
    const names = new Set<string>(CONFIG_NAMES.filter((n) => ws.text(resolve(dir, n)) !== null));
    const active = targetsInDir(ws, dir, names, problems).find((t) => t.role === 'active');
    if (active) return active;
  }
  return undefined;
}

/**
 * The interpreter whose Python version decides whether a file under `dir` is valid: `--python`, else a
 * `.venv/` or `venv/` of the project around it; null for the default python3.
 */
export function projectInterpreter(ws: Workspace, dir: string, python: string | undefined): string | null {
  if (python) return python;
  // Asked for every file a fix verifies: each directory is looked at once per run.
  let byDir = interpretersByRun.get(ws);
  if (!byDir) interpretersByRun.set(ws, (byDir = new Map()));
  const key = resolve(dir);
  let found = byDir.get(key);
  if (found === undefined) {
    // From the file's directory up to the first that holds pytest config or packaging files, or the repository's top.
    const venv = projectVenvPython(key);
    const top =
      venv !== null || dirname(key) === key || [...CONFIG_NAMES, 'setup.py', 'Pipfile', '.git'].some((n) => existsSync(resolve(key, n)));
    found = venv ?? (top ? null : projectInterpreter(ws, dirname(key), python));
    byDir.set(key, found);
  }
  return found;
}

/** projectInterpreter's answers, by run and directory. */
const interpretersByRun = new WeakMap<Workspace, Map<string, string | null>>();

/**
 * Attach the Python sources each active config governs: for a directory input, the files pytest would read
 * under it (each file to the nearest config above it); for a .py input, that file. A run on config files
 * alone parses no Python at all.
 */
async function attachSources(
  ws: Workspace,
  inputs: readonly string[],
  targets: PytestTarget[],
  problems: FileProblem[],
  ignored?: (file: string) => boolean,
  python?: string,
): Promise<{ read: string[]; parsed: string[] }> {
  const wanted = new Map<string, PytestTarget>();
  const active = targets.filter((t) => t.role === 'active' && isConfigName(basename(t.config.file)));
  const owner = (file: string) =>
    active.filter((t) => file.startsWith(t.rootDir + sep)).sort((a, b) => b.rootDir.length - a.rootDir.length)[0];
  const scanDirs = inputs.filter((i) => statSafe(i)?.isDirectory());
  // The configs whose sources this run reads: a config with none still counts as read (it has no fixtures).
  const scanned = new Set<PytestTarget>();
  for (const t of active) {
    if (!scanDirs.some((d) => t.rootDir === d || t.rootDir.startsWith(d + sep) || d.startsWith(t.rootDir + sep))) continue;
    scanned.add(t);
    for (const file of sourceFilesOf(t, ws.walkOptions)) {
      if (!scanDirs.some((d) => file.startsWith(d + sep))) continue;
      const o = owner(file);
      if (o) wanted.set(file, o);
    }
  }
  for (const input of inputs) {
    if (!isPythonSource(input) || !statSafe(input)?.isFile()) continue;
    let t = owner(input);
    if (!t) {
      // A file outside the configs found so far: the one governing it joins the targets.
      const found = nearestActive(ws, dirname(input));
      if (!found) continue;
      t = targets.find((x) => x.config.file === found.config.file);
      if (!t) targets.push((t = runTarget(ws, found)));
    }
    wanted.set(input, t);
    scanned.add(t);
  }
  if (ignored) for (const file of [...wanted.keys()]) if (ignored(file)) wanted.delete(file);
  for (const t of scanned) t.sources = [];
  if (wanted.size === 0) return { read: [], parsed: [] };
  const files = [...wanted.keys()].sort();
  const marks = new Map<PytestTarget, ReadonlySet<string> | null>();
  const registered = (file: string) => {
    const t = wanted.get(file)!;
    if (!marks.has(t)) marks.set(t, strictMarkers(t.config) ? registeredMarks(t.config) : null);
    return marks.get(t)!;
  };
  const interpreters = new Map<PytestTarget, string | null>();
  const interpreterOf = (file: string) => {
    const t = wanted.get(file)!;
    if (!interpreters.has(t)) interpreters.set(t, projectInterpreter(ws, t.rootDir, python));
    return interpreters.get(t)!;
  };
  const sources = await loadSources(ws, files, problems, registered, interpreterOf);
  for (const source of sources) wanted.get(source.file)!.sources!.push(source);
  return { read: files, parsed: sources.map((s) => s.file) };
}

function statSafe(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** A fix that would create a section while the file's own pytest section waits for its rename is withheld (see `InsertSite`). */
function withholdWaiting(rule: PytestRule): PytestRule {
  return {
    ...rule,
    check: (ctx, target) =>
      rule.check(
        { ...ctx, report: (input) => ctx.report(input.fix?.edits.some(waitsForSection) ? { ...input, fix: null } : input) },
        target,
      ),
  };
}

export const pytestAnalyzer: Analyzer = {
  name: 'pytest',
  get rules() {
    return pytestRules();
  },
  // Configs (and `-c` profiles next to them), conftest.py and test modules under pytest's default names.
  filePatterns: [
    ...CONFIG_NAMES.map((n) => n.replace(/\./g, '\\.')),
    String.raw`pytest-[^/]*\.ini`,
    String.raw`conftest\.py`,
    String.raw`test_[^/]*\.py`,
    String.raw`[^/]*_test\.py`,
    // The monitor plugin: judged through the config that loads it (walking up), as a test module is.
    MONITOR_FILE.replace(/\./g, '\\.'),
  ],
  async analyze(ws, inputs, ignored, env): Promise<AnalyzerOutput> {
    const pyInputs = inputs.filter(isPythonSource);
    const found = collectPytestTargets(
      ws,
      inputs.filter((i) => !isPythonSource(i)),
    );
    const targets = ignored ? found.targets.filter((t) => !ignored(t.config.file)) : found.targets;
    const problems = found.problems;
    const sourceFiles = await attachSources(ws, inputs, targets, problems, ignored, env?.python);
    const kinds = new Map<string, string>(targets.map((t) => [t.config.file, 'config']));
    // Sources the prefilter set aside were read as text but never parsed: nothing in them is what a rule reports on.
    for (const file of sourceFiles.read) kinds.set(file, 'test source, text only (nothing a rule reports on)');
    for (const file of sourceFiles.parsed) kinds.set(file, basename(file) === 'conftest.py' ? 'conftest' : 'test module');
    const projects = new ProjectCache(ws, { python: env?.python });
    for (const t of targets) {
      t.project = () => projects.get(t);
      if (env?.measurement) t.measurement = env.measurement;
    }
    // A .py input alone reports on its own file: its config's findings belong to a run that names the config.
    const onlySources = pyInputs.length === inputs.length;
    // The monitor plugin is judged from the config that loads it: given alone (pre-commit), that rule runs too.
    const monitorGiven = pyInputs.some((f) => basename(f) === MONITOR_FILE);
    const runs = targets.flatMap((target) =>
      pytestRules()
        .filter((rule) => !onlySources || rule.meta.sources === true || (monitorGiven && rule.meta.id === 'outdated-memory-monitor'))
        .map((rule) => ({ rule: withholdWaiting(rule), target })),
    );
    return { runs, problems, files: [...targets.map((t) => t.config.file), ...sourceFiles.parsed], kinds };
  },
  derive(ws, inputs, profiles) {
    const names = PROFILES.filter((p) => profiles.includes(p));
    if (names.length === 0) return { files: [], problems: [] };
    // Profiles derive from the main configs pytest finds by itself, never from another profile.
    const mains = collectPytestTargets(ws, inputs).targets.filter((t) => t.role === 'active' && isConfigName(basename(t.config.file)));
    return deriveProfiles(mains, names);
  },
  async verify(ws, file, env) {
    if (isPythonSource(file)) {
      const text = ws.text(file);
      if (text === null) return null;
      const python = projectInterpreter(ws, dirname(file), env?.python);
      const original = ws.original(file)?.text;
      // Both texts go to the interpreter at once (one round trip).
      const [before, after] = await Promise.all([
        original === undefined ? null : cpythonVerdictOf(original, python),
        cpythonVerdictOf(text, python),
      ]);
      // Syntax only: the model a rule reads is not needed to tell whether pytest can import the file. Where
      // CPython accepts the new text, tree-sitter's reading would defer to it (see syntaxErrorOf): no parse.
      const error = after?.ok ? null : await pythonSyntaxError(text, python);
      if (error)
        return { file, line: error.line, column: error.column, message: `Python syntax error${error.detail ? ` (${error.detail})` : ''}` };
      // tree-sitter accepts some Python CPython rejects (Python 2's `print "x"`): such a file is never edited.
      if (before && !before.ok)
        return {
          file,
          line: before.line,
          column: before.column,
          asRead: true,
          message: `Python syntax error (CPython: ${before.message}); the file is never edited`,
        };
      if (after && !after.ok)
        return { file, line: after.line, column: after.column, message: `Python syntax error (CPython: ${after.message})` };
      return null;
    }
    if (!(CONFIG_NAMES as readonly string[]).includes(basename(file)) && !/\.(ini|cfg|toml)$/.test(file)) return null;
    const text = ws.text(file);
    if (text === null) return null;
    try {
      loadPytestConfig(file, text, true);
      return null;
    } catch (e) {
      if (e instanceof FileProblemError) return e.problem;
      throw e;
    }
  },
};
