/**
 * What a pytest config's project brings to it: the dependencies it declares (and locks), the plugins
 * installed in its environment when one is known (`--python`, or a `.venv/` / `venv/` in the project), and
 * the options, ini keys and marks its conftest.py files and local plugin modules register (read statically).
 * Rules reach it through `target.project()`, computed once per analysis pass from the workspace's texts.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { FileProblemError } from '../../core/diagnostic.js';
import type { Workspace } from '../../core/workspace.js';
import { declaredNames, readProjectDependencies, type ProjectDependencies } from '../../formats/dependencies.js';
import { readPluginModule, type PluginFlag } from '../../formats/python-static.js';
import { MONITOR_READING } from '../../generated/monitor.js';
import { monitorText } from '../../monitor/stamp.js';
import { normalizeName } from '../../formats/requirements.js';
import { listValue, type PytestConfig } from './config.js';
import { projectVenvPython, readInstalled, type InstalledEnvironment } from './installed.js';
import { isPytestPluginName, plugins } from './plugins.js';
import { sourceFilesOf } from './sources.js';
import { environmentsRunning, readEnvironments, type TestEnvironment } from './environments.js';
import { nearestActive } from './index.js';
import { addoptsPlugins, type PytestTarget } from './target.js';

export interface LocalPlugins {
  flags: Map<string, PluginFlag & { file: string }>;
  keys: Map<string, string>;
  markers: Map<string, string>;
  /** Files read as conftest or local plugin modules. */
  files: string[];
  /** A registration that could not be read statically (a computed name), or a plugin module that was not found. */
  unreadable: string[];
}

export interface PytestProject {
  dependencies: ProjectDependencies;
  /** Where dependencies were looked for, for messages: `pyproject.toml and requirements-dev.txt`. */
  where: string;
  installed: InstalledEnvironment | null;
  /** Why the installed environment could not be read, if one was named or found. */
  installedProblem: string | null;
  local: LocalPlugins;
  /** Normalized names the project declares, locks, or has installed. */
  present: Set<string>;
  /** Whether anything at all tells which plugins the project has (declarations, a lock, an environment). */
  informed: boolean;
  /** pytest plugins the project declares or has installed that the registry has no record of. */
  unknownPlugins: string[];
  /** The tox envs, nox sessions and CI jobs that run pytest with this config (environments.ts). */
  environments: TestEnvironment[];
}

export interface ProjectOptions {
  /** `--python PATH`: read this interpreter's installed packages. */
  python?: string;
}

const describeFiles = (files: string[]) =>
  files.length <= 1 ? (files[0] ?? '') : `${files.slice(0, -1).join(', ')} and ${files[files.length - 1]}`;

/**
 * Resolve a module name (`tests.plugins.db`) to a file under the rootdir, the project root (where the
 * package declaring a `pytest11` entry point lives), their `src/`, or the `pythonpath` entries.
 */
function resolveModule(ws: Workspace, target: PytestTarget, module: string, projectRoot: string): string | null {
  const bases = [
    ...new Set([target.rootDir, join(target.rootDir, 'src'), projectRoot, join(projectRoot, 'src')]),
    ...listValue(target.config, 'pythonpath', 'paths').map((p) => resolve(target.rootDir, p)),
  ];
  const rel = module.split('.').join('/');
  for (const base of bases) {
    for (const candidate of [join(base, `${rel}.py`), join(base, rel, '__init__.py')]) if (ws.text(candidate) !== null) return candidate;
  }
  return null;
}

async function readLocalPlugins(ws: Workspace, target: PytestTarget, dependencies: ProjectDependencies): Promise<LocalPlugins> {
  const local: LocalPlugins = { flags: new Map(), keys: new Map(), markers: new Map(), files: [], unreadable: [] };
  const queue: string[] = sourceFilesOf(target).filter((f) => f.endsWith('/conftest.py') || f.endsWith('\\conftest.py'));
  const registry = plugins();
  const module = (name: string, from: string) => {
    if (registry.byEntryPoint(name)) return;
    const file = resolveModule(ws, target, name, dependencies.root);
    if (file) queue.push(file);
    // An installed package's module (celery.contrib.pytest): known when the registry has it, else unverifiable.
    else if (!registry.records.some((r) => r.entryPoints.some((e) => name === e.module || name.startsWith(`${e.module}.`))))
      local.unreadable.push(`${name} (named in ${from})`);
  };
  for (const p of addoptsPlugins(target.config)) if (!p.startsWith('no:')) module(p, relative(target.rootDir, target.config.file));
  // The project's own `pytest11` entry points: pytest loads them whenever the project is installed, as a
  // conftest. The project's own module is read, not the registry's record (it may be a newer version).
  for (const ep of dependencies.pytest11) {
    const file = resolveModule(ws, target, ep.module, dependencies.root);
    if (file) queue.push(file);
    else if (!registry.byEntryPoint(ep.name) && !registry.byEntryPoint(ep.module))
      local.unreadable.push(`${ep.module} (the pytest11 entry point in ${ep.file})`);
  }
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = ws.text(file);
    if (text === null || !/addoption|addini|addinivalue_line|pytest_plugins/.test(text)) continue;
    // The memory monitor a fix installs is read from its recorded reading (scripts/build.mjs), not parsed again.
    const reading = (text === monitorText() ? MONITOR_READING : null) ?? (await readPluginModule(text));
    local.files.push(file);
    const rel = relative(target.rootDir, file).split('\\').join('/');
    for (const f of reading.flags) for (const n of f.names) local.flags.set(n, { ...f, file: rel });
    for (const k of reading.keys) local.keys.set(k, rel);
    for (const m of reading.markers) local.markers.set(m, rel);
    if (reading.opaque) local.unreadable.push(rel);
    for (const p of reading.plugins) module(p, rel);
  }
  return local;
}

const localByRun = new WeakMap<Workspace, Map<string, Promise<LocalPlugins>>>();

/**
 * The conftest.py and local-plugin registrations that apply under a config found outside an analysis pass
 * (the config governing a CI command): read once per run and config text.
 */
export function localPluginsFor(ws: Workspace, config: PytestConfig): Promise<LocalPlugins> {
  const byConfig = localByRun.get(ws) ?? new Map<string, Promise<LocalPlugins>>();
  localByRun.set(ws, byConfig);
  const key = `${config.file}\0${config.text}`;
  let hit = byConfig.get(key);
  if (!hit) {
    const target: PytestTarget = { config, role: 'active', rootDir: dirname(config.file), read: (p) => ws.text(p) };
    hit = readProjectDependencies({ read: (p: string) => ws.text(p) }, target.rootDir).then((deps) => readLocalPlugins(ws, target, deps));
    byConfig.set(key, hit);
  }
  return hit;
}

export async function loadProject(ws: Workspace, target: PytestTarget, options: ProjectOptions = {}): Promise<PytestProject> {
  const files = { read: (p: string) => ws.text(p), list: (dir: string) => ws.listDir(dir) };
  const dependencies = await readProjectDependencies(files, target.rootDir);
  let installed: InstalledEnvironment | null = null;
  let installedProblem: string | null = null;
  const python = options.python ?? projectVenvPython(dependencies.root);
  if (python) {
    try {
      installed = await readInstalled(python);
    } catch (e) {
      installedProblem = (e as Error).message;
      // A named interpreter that cannot be read is the user's error to see; a project venv that cannot is
      // left out, and the run says so once (on stderr: the findings are then those of a static reading).
      if (options.python) throw new FileProblemError({ file: target.config.file, line: 1, column: 1, message: installedProblem });
      ws.note(`${installedProblem}; its packages were left out (the findings read the dependency files only)`);
    }
  }
  const present = declaredNames(dependencies);
  for (const name of dependencies.locked.keys()) present.add(name);
  // A project that is itself a registry plugin (pytest-django's own repository) has that plugin: its
  // record vouches for what the module registers through names read in code (`addini(SETTINGS_ENV)`).
  for (const ep of dependencies.pytest11) {
    const own = plugins().byEntryPoint(ep.module) ?? plugins().byEntryPoint(ep.name);
    if (own) present.add(own.distribution);
  }
  if (installed) for (const name of installed.distributions.keys()) present.add(name);
  const registry = plugins();
  const unknownPlugins = new Set<string>();
  for (const name of present) if (isPytestPluginName(name) && !registry.byDistribution(name) && !installed) unknownPlugins.add(name);
  if (installed)
    for (const d of installed.distributions.values())
      if (d.pytest11.length > 0 && !registry.byDistribution(d.name)) unknownPlugins.add(normalizeName(d.name));
  const sources = [...(installed ? [`the environment of ${installed.python}`] : []), ...dependencies.files];
  // Asked for each environment's working directory: hundreds of tox envs share one.
  const governed = new Map<string, string | null>();
  const governing = (dir: string) => {
    if (!governed.has(dir)) governed.set(dir, nearestActive(ws, dir)?.config.file ?? null);
    return governed.get(dir)!;
  };
  const environments = environmentsRunning(await readEnvironments(files, dependencies), target.config.file, governing);
  return {
    dependencies,
    where: sources.length > 0 ? describeFiles(sources) : 'no dependency file at or above the config',
    installed,
    installedProblem,
    local: await readLocalPlugins(ws, target, dependencies),
    present,
    informed: dependencies.files.length > 0 || dependencies.locked.size > 0 || installed !== null,
    unknownPlugins: [...unknownPlugins].sort(),
    environments,
  };
}

/**
 * One analysis pass's projects, so every rule of the pass sees the same reading and each config's project
 * is read once. A new pass (after fixes changed texts) makes a new cache.
 */
export class ProjectCache {
  private readonly byConfig = new Map<string, Promise<PytestProject>>();
  constructor(
    private readonly ws: Workspace,
    private readonly options: ProjectOptions = {},
  ) {}

  get(target: PytestTarget): Promise<PytestProject> {
    let hit = this.byConfig.get(target.config.file);
    if (!hit) {
      hit = loadProject(this.ws, target, this.options);
      this.byConfig.set(target.config.file, hit);
    }
    return hit;
  }
}
