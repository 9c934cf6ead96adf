/**
 * `netra-migrate print-config <path>`: what governs one file, as ESLint's `--print-config` shows it. The
 * pytest config pytest would use for the path (its file, rootdir, table and values as pytest types them,
 * the configs it shadows), the Jest/Vitest config nearest above it (its options as read statically, with
 * what is computed at run time marked so), the tool config and the effective setting of every rule.
 * Everything is read, nothing imported or run.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { FileProblem } from './core/diagnostic.js';
import { resolveRule, type RuleSettings } from './core/settings.js';
import { DEFAULT_PRESET, runnerSeverities, type PresetName } from './core/rule.js';
import { loadToolConfig, toolConfigStart } from './core/tool-config.js';
import { Workspace } from './core/workspace.js';
import type { JsValue } from './formats/js.js';
import { configKind, hasJestKey, type JsConfigTarget } from './runners/js/config.js';
import { configWorkers } from './runners/js/environments.js';
import { jsAnalyzer } from './runners/js/index.js';
import { CONFIG_NAMES, typedValue } from './runners/pytest/config.js';
import { isConfigName } from './runners/pytest/discovery.js';
import { nearestActive, collectPytestTargets } from './runners/pytest/index.js';
import { keyInfo } from './runners/pytest/schema.js';
import { addoptsPlugins } from './runners/pytest/target.js';
import { allRules } from './rules.js';
import { readProjectDependencies } from './formats/dependencies.js';
import { environmentsRunning, readEnvironments } from './runners/pytest/environments.js';
import { readSdist } from './runners/pytest/sdist.js';

export interface PrintConfigOptions {
  cwd: string;
  path: string;
  /** Settings given on the command line (`--rule`), over the tool config's. */
  rules?: RuleSettings;
  /** `--preset`, over the tool config's. */
  preset?: PresetName;
}

const show = (cwd: string, file: string) => relative(cwd, file).split('\\').join('/') || '.';

/** A statically read JS value as JSON; what is only known at run time says so, with its source text. */
export function jsValueJson(value: JsValue | null): unknown {
  if (value === null) return null;
  switch (value.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return value.value;
    case 'null':
      return null;
    case 'array':
      return value.items.map(jsValueJson).concat(value.opaque ? [{ computed: '...' }] : []);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const p of value.properties) out[p.key] = jsValueJson(p.value);
      if (value.opaque) out['...'] = { computed: 'keys added at run time' };
      return out;
    }
    case 'function':
      return { function: value.async ? 'async' : 'sync' };
    case 'computed':
      return { computed: value.text };
  }
}

/**
 * The environments that run pytest with a config (tox envs, nox sessions, CI jobs; environments.ts): what
 * each installs and sets, and the sdist packagers test from.
 */
async function environmentsOf(ws: Workspace, cwd: string, configFile: string, rootDir: string) {
  const files = { read: (p: string) => ws.text(p), list: (d: string) => ws.listDir(d) };
  const deps = await readProjectDependencies(files, rootDir);
  const governing = (dir: string) => nearestActive(ws, dir)?.config.file ?? null;
  const envs = environmentsRunning(await readEnvironments(files, deps), configFile, governing);
  const sdist = readSdist(files, deps.root);
  return {
    environments: envs.map((e) => ({
      name: e.name,
      file: show(cwd, e.file),
      installs: Object.fromEntries([...e.installs].sort(([a], [b]) => a.localeCompare(b))),
      from: e.sources,
      ...(e.open ? { open: e.open } : {}),
      pytest: e.pytest.map((r) => ({
        args: r.args,
        cwd: r.cwd === null ? null : show(cwd, r.cwd),
        ...(r.isolated ? { isolated: true } : {}),
      })),
      PYTEST_ADDOPTS: e.addopts,
    })),
    sdist: sdist ? { backend: sdist.backend, rule: sdist.rule } : null,
  };
}

async function pytestSection(ws: Workspace, cwd: string, target: string, problems: FileProblem[]) {
  const isDir = statSync(target).isDirectory();
  const dir = isDir ? target : dirname(target);
  // A config file given by path is read as pytest reads it (a non-standard name as `-c FILE`).
  const asConfig = !isDir && (isConfigName(basename(target)) || !/\.(py|ya?ml|json|[cm]?[jt]sx?)$/.test(target));
  const given = !asConfig ? undefined : collectPytestTargets(ws, [target]).targets.find((t) => t.config.file === target);
  const found = given ?? nearestActive(ws, dir, problems);
  if (!found) return null;
  const { config } = found;
  const values: Record<string, unknown> = {};
  for (const entry of config.entries) {
    const info = keyInfo(entry.key);
    if (!info) {
      values[entry.key] = { unknown: entry.raw };
      continue;
    }
    const typed = typedValue(config, entry, info.type);
    values[entry.key] = typed.ok ? typed.value : { invalid: entry.raw, error: typed.error };
  }
  // The other files of the same directory that hold pytest config pytest ignores (it reads only the first).
  const shadowed = CONFIG_NAMES.map((n) => join(found.rootDir, n))
    .filter((f) => f !== config.file && ws.text(f) !== null)
    .flatMap((f) => collectPytestTargets(ws, [f]).targets.filter((t) => t.config.file === f && t.role === 'shadowed'))
    .map((t) => show(cwd, t.config.file));
  const required = config.entries.find((e) => e.key === 'required_plugins');
  return {
    configfile: show(cwd, config.file),
    rootdir: show(cwd, found.rootDir),
    role: found.role,
    table: config.table?.name ?? null,
    mode: config.mode,
    values,
    shadows: shadowed,
    plugins: {
      /** Plugins `-p` loads from addopts (`no:NAME` disables one). */
      addopts: addoptsPlugins(config),
      required: required ? (typedValue(config, required, 'args').value ?? []) : [],
    },
    ...(await environmentsOf(ws, cwd, config.file, found.rootDir)),
  };
}

/** The Jest/Vitest config nearest at or above `start` (a package.json only with a `jest` key), up to the repository root. */
function jsConfigFile(ws: Workspace, start: string): string | null {
  for (let dir = start; ; dir = dirname(dir)) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).sort();
    } catch {
      // An unreadable directory holds no config we can name; keep looking above it.
    }
    const config = names
      .map((n) => join(dir, n))
      .find((f) => configKind(f, false) && (basename(f) !== 'package.json' || hasJestKey(ws.text(f) ?? '')));
    if (config) return config;
    if (dirname(dir) === dir || names.includes('.git')) return null;
  }
}

async function jsSection(ws: Workspace, cwd: string, target: string, problems: FileProblem[]) {
  const file = configKind(target, true) ? target : jsConfigFile(ws, statSync(target).isDirectory() ? target : dirname(target));
  if (!file) return null;
  const out = await jsAnalyzer.analyze(ws, [file]);
  problems.push(...out.problems);
  const targets = [
    ...new Map(
      out.runs
        .map((r) => r.target as JsConfigTarget)
        .filter((t) => t.file === file)
        .map((t) => [t.project ?? '', t]),
    ).values(),
  ];
  const root = targets.find((t) => !t.project);
  if (!root) return null;
  return {
    configfile: show(cwd, root.file),
    runner: root.runner,
    kind: root.kind,
    version: root.version,
    computed: root.computed ? ws.text(root.file)!.slice(root.computed.start, root.computed.end) : null,
    options: jsValueJson(root.options),
    projects: targets.filter((t) => t.project).map((t) => ({ name: t.project, options: jsValueJson(t.options) })),
    /** The worker count the config itself implies (`maxWorkers`, `fileParallelism: false`, `singleFork`), or null. */
    workers: configWorkers(root),
    /** Where the config runs: package.json scripts, `.npmrc`, CI steps; the heap and workers each sets. */
    environments: (root.environments?.() ?? []).map(({ kind, name, nodeOptions, heapMb, workers }) => ({
      kind,
      name,
      nodeOptions,
      heapMb,
      workers,
    })),
  };
}

/** The JSON `print-config` prints; `problems` are files that could not be read on the way. */
export async function printConfig(options: PrintConfigOptions): Promise<{ config: Record<string, unknown>; problems: FileProblem[] }> {
  const target = resolve(options.cwd, options.path);
  const problems: FileProblem[] = [];
  if (!existsSync(target)) return { config: {}, problems: [{ file: target, message: 'no such file or directory' }] };
  const ws = new Workspace();
  let tool: Awaited<ReturnType<typeof loadToolConfig>> = null;
  try {
    tool = await loadToolConfig(toolConfigStart(options.cwd, [target]), allRules);
  } catch (e) {
    const problem = (e as { problem?: FileProblem }).problem;
    if (!problem) throw e;
    problems.push(problem);
  }
  const settings: RuleSettings = { ...tool?.rules, ...options.rules };
  const preset = options.preset ?? tool?.preset ?? DEFAULT_PRESET;
  const rules: Record<string, unknown> = {};
  for (const rule of allRules) {
    const resolved = resolveRule(settings, rule.meta.id, rule.meta.defaultOptions);
    // The preset's level (per runner where the runners differ: `pytest: error, jest/vitest: warning`).
    rules[rule.meta.id] = resolved.enabled ? [resolved.severity ?? runnerSeverities(rule.meta, preset), resolved.options] : 'off';
  }
  const config = {
    path: show(options.cwd, target),
    pytest: await pytestSection(ws, options.cwd, target, problems),
    js: await jsSection(ws, options.cwd, target, problems),
    toolConfig: tool ? { file: show(options.cwd, tool.file), ignore: tool.ignore, ignored: tool.ignored(target) } : null,
    preset,
    rules,
  };
  return { config, problems };
}
