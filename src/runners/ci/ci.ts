/**
 * Where pytest runs outside its config: CI jobs (GitHub Actions workflows: steps whose `run` invokes a test
 * runner; GitLab CI: jobs whose `script` does), tox, nox, Makefiles and scripts under `scripts/`. YAML is
 * read with the `yaml` package's ranges, like Compose files; the others through sites.ts.
 */
import { dirname, resolve, sep } from 'node:path';
import type { Pair, Scalar, YAMLMap } from 'yaml';
import type { Workspace } from '../../core/workspace.js';
import { loadYaml, parseOne } from '../../formats/yaml.js';
import { testRunnerOf, type TestRunner } from '../compose/compose.js';
import { pytestRunOf } from './command-line.js';
import {
  makeSites,
  noxSites,
  pyprojectToxSites,
  scriptSites,
  shellSite,
  toxIniSites,
  type CommandSite,
  type SiteCommand,
} from './sites.js';

export type InvocationKind = 'github' | 'gitlab' | 'tox' | 'pyproject-tox' | 'nox' | 'make' | 'script';

/**
 * The file kinds this analyzer reads, as regular expressions over a `/`-separated path: discovery and the
 * pre-commit hooks' `files` pattern are both built from them (see src/file-kinds.ts).
 */
export const INVOCATION_FILES: readonly { kind: InvocationKind; pattern: string }[] = [
  { kind: 'github', pattern: String.raw`\.github/workflows/[^/]+\.ya?ml` },
  { kind: 'gitlab', pattern: String.raw`\.gitlab-ci\.ya?ml` },
  { kind: 'tox', pattern: String.raw`tox\.ini` },
  { kind: 'pyproject-tox', pattern: String.raw`pyproject\.toml` },
  { kind: 'nox', pattern: String.raw`noxfile\.py` },
  { kind: 'make', pattern: String.raw`(GNUmakefile|[Mm]akefile)` },
  { kind: 'script', pattern: String.raw`scripts/[^/]+\.sh` },
];
const KIND_PATTERNS = INVOCATION_FILES.map(({ kind, pattern }) => ({ kind, re: new RegExp(`(^|/)${pattern}$`) }));

export function invocationKind(file: string): InvocationKind | null {
  const path = file.split('\\').join('/');
  return KIND_PATTERNS.find(({ re }) => re.test(path))?.kind ?? null;
}

export function ciKind(file: string): 'github' | 'gitlab' | null {
  const kind = invocationKind(file);
  return kind === 'github' || kind === 'gitlab' ? kind : null;
}

/** A simple command of a CI script, with the YAML scalar it is written in. */
export interface CiCommand extends SiteCommand {
  scalar: Scalar;
  /** The scalar's value: word offsets are into this text. */
  source: string;
}

export interface CiJob {
  /** `jobs.<id>` step name or number, or the GitLab job name. */
  name: string;
  at: { start: number; end: number };
  runner: TestRunner;
  /** The shell text that runs it. */
  command: string;
  commands: CiCommand[];
  /** The map the fix adds variables to (the step, or the GitLab job), and the variables map already there. */
  owner: YAMLMap;
  existing: YAMLMap | null;
  /** `env` (GitHub) or `variables` (GitLab). */
  key: 'env' | 'variables';
  /** Variable names in scope: workflow, job and step (GitHub) or global and job (GitLab). */
  names: Set<string>;
  /** The step's `runs-on` label (GitHub), as written. */
  runsOn: string | null;
}

export interface CiFile {
  file: string;
  text: string;
  kind: InvocationKind;
  /** Jobs of a CI file (GitHub/GitLab), which the memory rule can give variables; empty for other kinds. */
  jobs: CiJob[];
  /** Every place that runs commands, jobs included. */
  sites: CommandSite[];
  /** The run's workspace: configs are read through it, so rules judge the text the fixer holds. */
  ws: Workspace;
}

/** The directory a workflow runs from: the repository root holding `.github` (or `.gitlab-ci.yml`). */
export function repositoryRoot(file: string, kind: InvocationKind): string {
  return kind === 'github' ? dirname(dirname(dirname(file))) : dirname(file);
}

export async function loadInvocations(ws: Workspace, file: string, text: string): Promise<CiFile> {
  const kind = invocationKind(file)!;
  const base = { file, text, kind, ws, jobs: [] as CiJob[] };
  switch (kind) {
    case 'github':
    case 'gitlab': {
      const jobs = await loadCiJobs(file, text, kind);
      return { ...base, jobs, sites: jobs.map((j) => ({ name: j.name, at: j.at, commands: j.commands })) };
    }
    case 'tox':
      return { ...base, sites: toxIniSites(file, text) };
    case 'pyproject-tox':
      return { ...base, sites: pyprojectToxSites(file, text) };
    case 'nox':
      return { ...base, sites: await noxSites(file, text) };
    case 'make':
      return { ...base, sites: makeSites(file, text) };
    case 'script':
      return { ...base, sites: scriptSites(file, text) };
  }
}

/** pytest when a command runs it (not a `pip install pytest`); Jest or Vitest as the command text names them. */
function runnerOf(text: string, commands: readonly SiteCommand[]): TestRunner | null {
  if (commands.some((c) => pytestRunOf(c.words))) return 'pytest';
  const named = testRunnerOf(text);
  return named === 'pytest' ? null : named;
}

async function loadCiJobs(file: string, text: string, kind: 'github' | 'gitlab'): Promise<CiJob[]> {
  const y = await loadYaml();
  const doc = parseOne(y, file, text);
  const root = doc.contents;
  const jobs: CiJob[] = [];
  if (!y.isMap(root)) return jobs;
  const repo = repositoryRoot(file, kind);
  const namesOf = (node: unknown) => new Set(y.isMap(node) ? (node.items as Pair<Scalar>[]).map((p) => String(p.key?.value)) : []);
  const scalars = (node: unknown): Scalar[] => (y.isScalar(node) ? [node] : y.isSeq(node) ? node.items.flatMap(scalars) : []);
  const valueOf = (s: Scalar) => String(s.value ?? '');
  const commandsOf = (nodes: Scalar[], cwd: string | null): CiCommand[] =>
    nodes.flatMap((scalar) => shellSite(valueOf(scalar), cwd).map((c) => ({ ...c, scalar, source: valueOf(scalar) })));
  const workingDirectory = (node: unknown): string | null => {
    const v = y.isMap(node) ? node.getIn(['defaults', 'run', 'working-directory']) : undefined;
    return typeof v === 'string' ? v : null;
  };
  const dirOf = (...candidates: unknown[]): string | null => {
    for (const c of candidates) {
      if (typeof c !== 'string') continue;
      // `${{ ... }}` expressions are known only when the workflow runs.
      return c.includes('${{') ? null : resolve(repo, c);
    }
    return repo;
  };
  if (kind === 'github') {
    const top = namesOf(root.get('env', true));
    const topDir = workingDirectory(root);
    const jobsNode = root.get('jobs', true);
    if (!y.isMap(jobsNode)) return jobs;
    for (const jobPair of jobsNode.items as Pair<Scalar, unknown>[]) {
      const job = jobPair.value;
      if (!y.isMap(job)) continue;
      const jobNames = namesOf(job.get('env', true));
      const jobDir = workingDirectory(job);
      const runsOn = job.get('runs-on');
      const steps = job.get('steps', true);
      if (!y.isSeq(steps)) continue;
      // `actions/checkout` of another repository puts its code in the workspace (or under `path`): commands
      // run there are that repository's, not judged against this one's configs.
      const foreign = steps.items.flatMap((step) => {
        if (!y.isMap(step) || !/^actions\/checkout@/.test(String(step.get('uses') ?? ''))) return [];
        const repository = step.getIn(['with', 'repository']);
        if (typeof repository !== 'string' || repository === '${{ github.repository }}') return [];
        const path = step.getIn(['with', 'path']);
        return [resolve(repo, typeof path === 'string' && !path.includes('${{') ? path : '.')];
      });
      const own = (dir: string | null) => (dir === null || foreign.some((f) => dir === f || dir.startsWith(f + sep)) ? null : dir);
      steps.items.forEach((step, i) => {
        if (!y.isMap(step)) return;
        const run = step.get('run', true);
        if (!y.isScalar(run)) return;
        const cwd = own(dirOf(step.get('working-directory'), jobDir, topDir));
        const commands = commandsOf([run], cwd);
        const runner = runnerOf(valueOf(run), commands);
        if (!runner) return;
        const env = step.get('env', true);
        const name = step.get('name');
        jobs.push({
          name: `${String(jobPair.key.value)}${typeof name === 'string' ? ` / ${name}` : ` / step ${i + 1}`}`,
          at: { start: run.range![0], end: run.range![1] },
          runner,
          command: valueOf(run),
          commands,
          owner: step,
          existing: y.isMap(env) ? env : null,
          key: 'env',
          names: new Set([...top, ...jobNames, ...namesOf(env)]),
          runsOn: typeof runsOn === 'string' ? runsOn : null,
        });
      });
    }
  } else {
    const global = namesOf(root.get('variables', true));
    for (const pair of root.items as Pair<Scalar, unknown>[]) {
      const job = pair.value;
      if (!y.isMap(job) || !y.isScalar(pair.key)) continue;
      const script = scalars(job.get('script', true));
      const command = script.map(valueOf).join('\n');
      const commands = commandsOf(script, repo);
      const runner = runnerOf(command, commands);
      if (!runner) continue;
      const vars = job.get('variables', true);
      jobs.push({
        name: String(pair.key.value),
        at: { start: pair.key.range![0], end: pair.key.range![1] },
        runner,
        command,
        commands,
        owner: job,
        existing: y.isMap(vars) ? vars : null,
        key: 'variables',
        names: new Set([...global, ...namesOf(vars)]),
        runsOn: null,
      });
    }
  }
  return jobs;
}

/**
 * Where a word of a scalar's value sits in the file, for splicing next to it: plain one-line scalars and
 * literal blocks (`|`) hold their value verbatim (less the block's indentation); null for any other style,
 * or when the text found there is not the word.
 */
export function scalarOffset(text: string, scalar: Scalar, source: string, at: number, length: number): number | null {
  const [start, end] = scalar.range!;
  const raw = text.slice(start, end);
  let offset: number | null = null;
  if (scalar.type === 'PLAIN' && !raw.includes('\n')) offset = start + at;
  else if (scalar.type === 'BLOCK_LITERAL') {
    const lineNo = source.slice(0, at).split('\n').length - 1;
    const column = at - (source.lastIndexOf('\n', at - 1) + 1);
    // The header line (`|`, `|-`, `|2`) comes first; value lines follow, each with the block's indentation.
    const lines = raw.split('\n');
    const body = lines.slice(1);
    const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
    if (lineNo < body.length && Number.isFinite(indent))
      offset = start + lines[0]!.length + 1 + body.slice(0, lineNo).reduce((n, l) => n + l.length + 1, 0) + indent + column;
  }
  if (offset === null) return null;
  return text.slice(offset, offset + length) === source.slice(at, at + length) ? offset : null;
}
