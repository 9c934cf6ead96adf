/**
 * The Node environments a Jest or Vitest config runs in, read statically (nothing is run): the package.json
 * scripts that run it (`NODE_OPTIONS=... vitest`, `cross-env NODE_OPTIONS=... jest`, `node
 * --max-old-space-size=N .../jest`, runner flags such as `--runInBand` or `--maxWorkers=2`), `.npmrc`
 * `node-options` (npm and pnpm put it in NODE_OPTIONS for every script), and the CI jobs of the repository
 * (GitHub Actions workflow, job and step `env`, values written to `$GITHUB_ENV`, matrix values; GitLab CI
 * `variables`) whose steps run Node. A CI step cannot be tied to one config statically (`npm test` may run
 * any of them), so every such step counts as an environment of every config in the repository: a heap it
 * sets is one a fix must not lower.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Workspace } from '../../core/workspace.js';
import { loadYaml, parseOne, type Yaml } from '../../formats/yaml.js';
import { shellCommands } from '../../formats/shell.js';
import { property, type JsValue } from '../../formats/js.js';
import { NAMED_JEST_CONFIG, NAMED_VITEST_CONFIG, type JsConfigTarget } from './config.js';
import { scriptRunsOf, type ScriptRun } from './scripts.js';
import { fromConfigDir } from './test-files.js';

export interface NodeEnvironment {
  kind: 'script' | 'npmrc' | 'ci';
  /** What it is, for messages and print-config: `package.json script "test"`, `.github/workflows/ci.yml job test / step 3`. */
  name: string;
  file: string;
  /** NODE_OPTIONS as the environment sets it (with node's own flags of a script), or null. */
  nodeOptions: string | null;
  /** The V8 heap ceiling it sets (`--max-old-space-size`), in MB, or null. */
  heapMb: number | null;
  /** The worker count its command line asks for: 1 for `--runInBand` / `--no-file-parallelism`, N or `N%` for `--maxWorkers`. */
  workers: number | string | null;
  /**
   * A script: the directory the runner starts in (the package's, or Vitest's `--root`), and whether it names
   * the config (`--config`) rather than finding it there. Vitest resolves `root` and setup files from it.
   */
  run?: { dir: string; namesConfig: boolean };
}

/** `--max-old-space-size=N` (or `--max_old_space_size N`) in a flag list, in MB; the last one wins, as in node. */
export function heapOf(options: string | null): number | null {
  if (!options) return null;
  let found: number | null = null;
  for (const m of options.matchAll(/--max[-_]old[-_]space[-_]size[= ](\d+)/g)) found = Number(m[1]);
  return found;
}

const count = (value: string | undefined): number | string | null =>
  value === undefined ? null : /^\d+$/.test(value) ? Number(value) : /^\d+%$/.test(value) ? value : null;

/** The worker count a runner's command-line arguments ask for (null when they say nothing). */
export function workersOfArgs(runner: 'jest' | 'vitest', args: readonly string[]): number | string | null {
  let found: number | string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (runner === 'jest' && (flag === '--runInBand' || flag === '-i' || flag === '--run-in-band')) found = 1;
    else if (flag === '--maxWorkers' || flag === '--max-workers' || (runner === 'jest' && (flag === '-w' || /^-w\d/.test(flag))))
      found = count(inline ?? (/^-w\d/.test(flag) ? flag.slice(2) : args[++i])) ?? found;
    else if (runner === 'vitest' && (flag === '--no-file-parallelism' || (flag === '--fileParallelism' && inline === 'false'))) found = 1;
    else if (runner === 'vitest' && /^--poolOptions\.(?:forks\.singleFork|threads\.singleThread)$/.test(flag) && inline !== 'false')
      found = 1;
  }
  return found;
}

/** The worker count the config itself implies: Jest/Vitest `maxWorkers`, Vitest `fileParallelism: false`, Vitest 3 `singleFork`/`singleThread`. */
export function configWorkers(target: JsConfigTarget): number | string | null {
  const options = target.options;
  if (!options) return null;
  const literal = (v: JsValue | undefined) => (v?.kind === 'number' ? v.value : v?.kind === 'string' ? count(v.value) : null);
  if (target.runner === 'vitest') {
    const parallel = property(options, 'fileParallelism')?.value;
    if (parallel?.kind === 'boolean' && !parallel.value) return 1;
    const pools = property(options, 'poolOptions')?.value;
    if (pools?.kind === 'object')
      for (const [pool, key] of [
        ['forks', 'singleFork'],
        ['threads', 'singleThread'],
      ] as const) {
        const inner = property(pools, pool)?.value;
        const single = inner?.kind === 'object' ? property(inner, key)?.value : undefined;
        if (single?.kind === 'boolean' && single.value) return 1;
      }
  }
  return literal(property(options, 'maxWorkers')?.value);
}

/** The repository root above `dir`: the nearest directory holding `.git` or `.github`, else the filesystem root. */
function repositoryRootOf(dir: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git')) || existsSync(join(d, '.github'))) return d;
    if (dirname(d) === d) return d;
  }
}

const NODE_HINT = /NODE_OPTIONS|node-options|max[-_]old[-_]space[-_]size/;
/** A CI command that runs Node code: a package manager, node, a runner, a monorepo task runner. */
const NODE_COMMAND = /^(?:.*\/)?(?:npm|npx|pnpm|yarn|bun|bunx|node|vitest|jest|turbo|nx|lerna)$/;
/** Installing dependencies runs no test (`npm ci`, `pnpm install --frozen-lockfile`, `yarn`). */
const INSTALL = /^(?:ci|install|i|add)$/;
const runsNode = (text: string) =>
  shellCommands(text).some((c) => {
    const words = c.words.map((w) => w.value).filter((w) => !/^[A-Za-z_]\w*=/.test(w));
    if (!words[0] || !NODE_COMMAND.test(words[0])) return false;
    return !(['npm', 'pnpm', 'yarn', 'bun'].includes(words[0]) && (words.length === 1 || INSTALL.test(words[1]!)));
  });

/** The CI files of a repository that may set a Node option (the cheap text test first: most set none). */
export function ciFilesOf(ws: Workspace, root: string): string[] {
  const out: string[] = [];
  const workflows = join(root, '.github', 'workflows');
  let names: string[];
  try {
    names = readdirSync(workflows).sort();
  } catch {
    names = [];
  }
  for (const name of names) if (/\.ya?ml$/.test(name)) out.push(join(workflows, name));
  for (const name of ['.gitlab-ci.yml', '.gitlab-ci.yaml']) if (existsSync(join(root, name))) out.push(join(root, name));
  return out.filter((f) => NODE_HINT.test(ws.text(f) ?? ''));
}

type Env = Record<string, string>;
const envOf = (node: unknown): Env =>
  node && typeof node === 'object' && !Array.isArray(node)
    ? Object.fromEntries(
        Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => (v === null || typeof v === 'object' ? [] : [[k, String(v)]])),
      )
    : {};

/** `${{ matrix.key }}` in a value, expanded over the matrix's literal values (and `include` entries); the value itself otherwise. */
function expandMatrix(value: string, matrix: unknown): string[] {
  const refs = [...value.matchAll(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g)];
  if (refs.length === 0 || !matrix || typeof matrix !== 'object') return [value];
  let values = [value];
  for (const ref of refs) {
    const key = ref[1]!;
    const m = matrix as Record<string, unknown>;
    const own = Array.isArray(m[key]) ? (m[key] as unknown[]) : [];
    const included = Array.isArray(m.include) ? (m.include as Record<string, unknown>[]).map((e) => e?.[key]) : [];
    const literals = [...own, ...included].filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
    if (literals.length === 0) continue;
    values = values.flatMap((v) => [...new Set(literals)].map((l) => v.split(ref[0]).join(l)));
  }
  return values;
}

/** NODE_OPTIONS a step's shell text sets for itself (`export NODE_OPTIONS=...`, `NODE_OPTIONS=... cmd`) or writes to `$GITHUB_ENV`. */
function shellNodeOptions(text: string): { own: string | null; exported: string | null } {
  let own: string | null = null;
  let exported: string | null = null;
  for (const command of shellCommands(text)) {
    const words = command.words.map((w) => w.value);
    const at = words.findIndex((w) => w.startsWith('NODE_OPTIONS='));
    if (at < 0) continue;
    const value = words[at]!.slice('NODE_OPTIONS='.length);
    if (/GITHUB_ENV/.test(text.slice(command.start, command.end + 40)) && words[0] === 'echo') exported = value;
    else own = value;
  }
  return { own, exported };
}

/** The Node environments of a repository's CI files (each step that runs Node, with the NODE_OPTIONS it gets). */
function ciEnvironments(y: Yaml, ws: Workspace, root: string, file: string): NodeEnvironment[] {
  const text = ws.text(file);
  if (text === null) return [];
  let data: unknown;
  try {
    data = parseOne(y, file, text).toJS({ maxAliasCount: 1000 }) as unknown;
  } catch {
    // An unreadable workflow is the CI analyzer's to report.
    return [];
  }
  if (!data || typeof data !== 'object') return [];
  const doc = data as Record<string, unknown>;
  const shown = relative(root, file).split('\\').join('/');
  const out: NodeEnvironment[] = [];
  let expandMatrixValues = (v: string) => [v];
  const add = (name: string, nodeOptions: string | undefined, command: string) => {
    for (const options of nodeOptions === undefined ? [undefined] : expandMatrixValues(nodeOptions)) {
      const runs = shellCommands(command).flatMap((c) => scriptRunsOf(c.words.map((w) => w.value).join(' ')));
      const workers = runs.map((r) => workersOfArgs(r.runner, r.args)).find((w) => w !== null) ?? null;
      if (options === undefined && workers === null) continue;
      out.push({ kind: 'ci', name: `${shown} ${name}`, file, nodeOptions: options ?? null, heapMb: heapOf(options ?? null), workers });
    }
  };
  if (basename(file).startsWith('.gitlab-ci')) {
    const global = envOf(doc.variables);
    for (const [jobName, job] of Object.entries(doc)) {
      if (!job || typeof job !== 'object' || Array.isArray(job) || !('script' in job)) continue;
      const j = job as Record<string, unknown>;
      const script = (Array.isArray(j.script) ? j.script : [j.script]).filter((s) => typeof s === 'string').join('\n');
      if (!runsNode(script)) continue;
      const vars = { ...global, ...envOf(j.variables) };
      add(`job ${jobName}`, shellNodeOptions(script).own ?? vars.NODE_OPTIONS, script);
    }
    return out;
  }
  const workflowEnv = envOf(doc.env);
  const jobs = doc.jobs && typeof doc.jobs === 'object' ? (doc.jobs as Record<string, unknown>) : {};
  for (const [jobId, job] of Object.entries(jobs)) {
    if (!job || typeof job !== 'object') continue;
    const j = job as Record<string, unknown>;
    const strategy = j.strategy as Record<string, unknown> | undefined;
    const matrix = strategy && typeof strategy === 'object' ? strategy.matrix : undefined;
    expandMatrixValues = (v) => expandMatrix(v, matrix);
    const jobEnv: Env = { ...workflowEnv, ...envOf(j.env) };
    const steps = Array.isArray(j.steps) ? (j.steps as unknown[]) : [];
    steps.forEach((step, i) => {
      if (!step || typeof step !== 'object') return;
      const s = step as Record<string, unknown>;
      if (typeof s.run !== 'string') return;
      const shell = shellNodeOptions(s.run);
      const env = { ...jobEnv, ...envOf(s.env) };
      if (runsNode(s.run))
        add(`job ${jobId} / ${typeof s.name === 'string' ? s.name : `step ${i + 1}`}`, shell.own ?? env.NODE_OPTIONS, s.run);
      // Written to $GITHUB_ENV: the job's later steps get it.
      if (shell.exported !== null) jobEnv.NODE_OPTIONS = shell.exported;
    });
  }
  return out;
}

/** `node-options=` of the `.npmrc` files from `dir` up to the repository root (the nearest wins, as npm reads project config). */
function npmrcOptions(ws: Workspace, dir: string, root: string): { file: string; value: string } | null {
  for (let d = dir; ; d = dirname(d)) {
    const file = join(d, '.npmrc');
    const text = existsSync(file) ? ws.text(file) : null;
    const m = text === null ? null : /^\s*node-options\s*=\s*(.*?)\s*$/m.exec(text);
    if (m) return { file, value: m[1]!.replace(/^(['"])(.*)\1$/, '$2') };
    if (d === root || dirname(d) === d) return null;
  }
}

/**
 * Whether a script run starts this config: its `--config` names the file, or it names none (nor a `--root`
 * elsewhere) and the config is the one the runner finds by default in the script's directory.
 */
function runsConfig(run: ScriptRun, dir: string, target: JsConfigTarget): { dir: string; namesConfig: boolean } | null {
  if (run.runner !== target.runner) return null;
  let config: string | null = null;
  let root = dir;
  for (let i = 0; i < run.args.length; i++) {
    const arg = run.args[i]!;
    if (arg === '--config' || arg === '-c') config = run.args[++i] ?? null;
    else if (arg.startsWith('--config=')) config = arg.slice('--config='.length);
    else if (target.runner === 'vitest' && (arg === '--root' || arg === '-r' || arg === '--dir')) root = resolve(dir, run.args[++i] ?? '.');
    else if (target.runner === 'vitest' && (arg.startsWith('--root=') || arg.startsWith('--dir=')))
      root = resolve(dir, arg.slice(arg.indexOf('=') + 1));
  }
  if (config !== null) return resolve(dir, config) === resolve(target.file) ? { dir: root, namesConfig: true } : null;
  const name = basename(target.file);
  return resolve(root) === dirname(resolve(target.file)) && !NAMED_JEST_CONFIG.test(name) && !NAMED_VITEST_CONFIG.test(name)
    ? { dir: root, namesConfig: false }
    : null;
}

/**
 * The directory Vitest takes for a config's `root` in every script that runs it: Vite resolves `root` (and
 * Vitest the setup files) from the directory the run starts in, not from the config's, so
 * `vitest --config=./test/node/vitest.config.ts` run from the package resolves `'./x'` from the package. A
 * config no script names is run from its own directory. Null when the runs disagree, or `root` is code that
 * names no directory statically: no one relative path serves them all.
 */
export function vitestRoot(target: JsConfigTarget): string | null {
  const configDir = dirname(resolve(target.file));
  const runs = (target.environments?.() ?? []).flatMap((e) => (e.run ? [e.run] : []));
  const dirs = new Set(runs.some((r) => r.namesConfig) ? runs.map((r) => r.dir) : [configDir]);
  const set = target.options ? property(target.options, 'root') : undefined;
  const own = set ?? (target.config ? property(target.config, 'root') : undefined);
  const roots = new Set(
    [...dirs].map((dir) => {
      if (!own) return dir;
      if (own.value.kind === 'string') return resolve(dir, own.value.value);
      return own.value.kind === 'computed' ? fromConfigDir(own.value.text, configDir) : null;
    }),
  );
  const [only] = roots;
  return roots.size === 1 && only !== undefined ? only : null;
}

/** The scripts of the package.json files from the config's directory up to the repository root that run it. */
function scriptEnvironments(ws: Workspace, target: JsConfigTarget, root: string, npmrc: string | null): NodeEnvironment[] {
  const out: NodeEnvironment[] = [];
  for (let d = dirname(resolve(target.file)); ; d = dirname(d)) {
    const manifest = join(d, 'package.json');
    const text = existsSync(manifest) && statSync(manifest).isFile() ? ws.text(manifest) : null;
    let scripts: unknown;
    try {
      scripts = text === null ? null : (JSON.parse(text.replace(/^\uFEFF/, '')) as { scripts?: unknown }).scripts;
    } catch {
      scripts = null;
    }
    if (scripts && typeof scripts === 'object') {
      for (const [name, line] of Object.entries(scripts as Record<string, unknown>)) {
        if (typeof line !== 'string') continue;
        for (const run of scriptRunsOf(line)) {
          const runs = runsConfig(run, d, target);
          if (!runs) continue;
          const own = [run.env.NODE_OPTIONS, ...run.nodeArgs].filter((v) => v !== undefined).join(' ');
          // npm and pnpm put .npmrc's node-options in NODE_OPTIONS; one the script sets itself replaces it.
          const nodeOptions = run.env.NODE_OPTIONS !== undefined ? own : [npmrc, ...run.nodeArgs].filter((v) => v).join(' ');
          out.push({
            kind: 'script',
            name: `${relative(root, manifest).split('\\').join('/')} script "${name}"`,
            file: manifest,
            nodeOptions: nodeOptions || null,
            heapMb: heapOf(nodeOptions),
            workers: workersOfArgs(run.runner, run.args),
            run: runs,
          });
        }
      }
    }
    if (d === root || dirname(d) === d) return out;
  }
}

/**
 * A reader of the Node environments of the given configs, for one run: each repository's CI files are parsed
 * once, and the YAML parser is loaded only when one of them may set a Node option.
 */
export async function nodeEnvironmentReader(
  ws: Workspace,
  targets: readonly JsConfigTarget[],
): Promise<(target: JsConfigTarget) => NodeEnvironment[]> {
  const ciFiles = new Map<string, string[]>();
  const rootOf = (target: JsConfigTarget) => repositoryRootOf(dirname(resolve(target.file)));
  for (const t of targets) {
    const root = rootOf(t);
    if (!ciFiles.has(root)) ciFiles.set(root, ciFilesOf(ws, root));
  }
  const y = [...ciFiles.values()].some((files) => files.length > 0) ? await loadYaml() : null;
  const ci = new Map<string, NodeEnvironment[]>();
  const memo = new Map<string, NodeEnvironment[]>();
  return (target) => {
    const key = `${target.file}\0${target.project ?? ''}`;
    const known = memo.get(key);
    if (known) return known;
    const root = rootOf(target);
    if (!ci.has(root)) ci.set(root, y ? (ciFiles.get(root) ?? ciFilesOf(ws, root)).flatMap((f) => ciEnvironments(y, ws, root, f)) : []);
    const npmrc = npmrcOptions(ws, dirname(resolve(target.file)), root);
    const envs = scriptEnvironments(ws, target, root, npmrc?.value ?? null);
    if (npmrc)
      envs.push({
        kind: 'npmrc',
        name: `${relative(root, npmrc.file).split('\\').join('/')} node-options`,
        file: npmrc.file,
        nodeOptions: npmrc.value,
        heapMb: heapOf(npmrc.value),
        workers: null,
      });
    const all = [...envs, ...ci.get(root)!];
    memo.set(key, all);
    return all;
  };
}
