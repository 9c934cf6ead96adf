/**
 * CI jobs that run tests: GitHub Actions workflows (`.github/workflows/*.yml`: steps whose `run` invokes a
 * test runner) and GitLab CI (`.gitlab-ci.yml`: jobs whose `script` does). Read with the `yaml` package's
 * ranges, like Compose files.
 */
import { basename, dirname, sep } from 'node:path';
import type { Pair, Scalar, YAMLMap } from 'yaml';
import { FileProblemError } from '../../core/diagnostic.js';
import { loadYaml } from '../../formats/yaml.js';
import { testRunnerOf, type TestRunner } from '../compose/compose.js';

export interface CiJob {
  /** `jobs.<id>` step number, or the GitLab job name. */
  name: string;
  at: { start: number; end: number };
  runner: TestRunner;
  /** The shell text that runs it. */
  command: string;
  /** The map the fix adds variables to (the step, or the GitLab job), and the variables map already there. */
  owner: YAMLMap;
  existing: YAMLMap | null;
  /** `env` (GitHub) or `variables` (GitLab). */
  key: 'env' | 'variables';
  /** Variable names in scope: workflow, job and step (GitHub) or global and job (GitLab). */
  names: Set<string>;
}

export interface CiFile {
  file: string;
  text: string;
  kind: 'github' | 'gitlab';
  jobs: CiJob[];
}

export function ciKind(file: string): 'github' | 'gitlab' | null {
  if (basename(file) === '.gitlab-ci.yml') return 'gitlab';
  if (/\.ya?ml$/.test(file) && dirname(file).split(sep).slice(-2).join('/') === '.github/workflows') return 'github';
  return null;
}

export async function loadCi(file: string, text: string): Promise<CiFile> {
  const y = await loadYaml();
  const doc = y.parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new FileProblemError({ file, line: e.linePos?.[0]?.line, column: e.linePos?.[0]?.col, message: `invalid YAML: ${e.message.split('\n')[0]}` });
  }
  const kind = ciKind(file)!;
  const root = doc.contents;
  const jobs: CiJob[] = [];
  if (!y.isMap(root)) return { file, text, kind, jobs };
  const namesOf = (node: unknown) => new Set(y.isMap(node) ? (node.items as Pair<Scalar>[]).map((p) => String(p.key?.value)) : []);
  const scriptText = (node: unknown): string => (y.isScalar(node) ? String(node.value ?? '') : y.isSeq(node) ? node.items.map(scriptText).join('\n') : '');
  if (kind === 'github') {
    const top = namesOf(root.get('env', true));
    const jobsNode = root.get('jobs', true);
    if (y.isMap(jobsNode)) {
      for (const jobPair of jobsNode.items as Pair<Scalar, unknown>[]) {
        const job = jobPair.value;
        if (!y.isMap(job)) continue;
        const jobNames = namesOf(job.get('env', true));
        const steps = job.get('steps', true);
        if (!y.isSeq(steps)) continue;
        steps.items.forEach((step, i) => {
          if (!y.isMap(step)) return;
          const run = step.get('run', true);
          const runner = testRunnerOf(scriptText(run));
          if (!runner || !y.isScalar(run)) return;
          const env = step.get('env', true);
          const names = new Set([...top, ...jobNames, ...namesOf(env)]);
          const name = step.get('name');
          jobs.push({
            name: `${String(jobPair.key.value)}${typeof name === 'string' ? ` / ${name}` : ` / step ${i + 1}`}`,
            at: { start: run.range![0], end: run.range![1] },
            runner,
            command: scriptText(run),
            owner: step,
            existing: y.isMap(env) ? env : null,
            key: 'env',
            names,
          });
        });
      }
    }
  } else {
    const global = namesOf(root.get('variables', true));
    for (const pair of root.items as Pair<Scalar, unknown>[]) {
      const job = pair.value;
      if (!y.isMap(job) || !y.isScalar(pair.key)) continue;
      const script = job.get('script', true);
      const runner = testRunnerOf(scriptText(script));
      if (!runner) continue;
      const vars = job.get('variables', true);
      jobs.push({
        name: String(pair.key.value),
        at: { start: pair.key.range![0], end: pair.key.range![1] },
        runner,
        command: scriptText(script),
        owner: job,
        existing: y.isMap(vars) ? vars : null,
        key: 'variables',
        names: new Set([...global, ...namesOf(vars)]),
      });
    }
  }
  return { file, text, kind, jobs };
}
