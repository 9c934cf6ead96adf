import { resolve } from 'node:path';
import type { Edit } from '../../../core/diagnostic.js';
import { defineRule } from '../../../core/rule.js';
import type { Workspace } from '../../../core/workspace.js';
import { addEntries } from '../../../formats/yaml-edit.js';
import pytestRule from '../../pytest/rules/require-memory-limit.js';
import { loadCompose } from '../../compose/compose.js';
import { MONITOR_VARIABLES } from '../../compose/limits.js';
import type { Options } from '../../compose/rules/require-memory-limit.js';
import { scalarOffset, type CiCommand, type CiFile, type CiJob } from '../ci.js';
import { pytestRunOf, readPytestArgs, type ContainerRun } from '../command-line.js';
import { getEntry } from '../../pytest/config.js';
import { governingConfig } from '../roots.js';

/**
 * What a CI runner's monitor is told: `auto`, so the monitor sizes its limit from the memory it finds
 * (the runner's cgroup limit, else its physical memory): hosted runners differ (7 GB to 64 GB and more,
 * private and public repositories alike), and a figure derived from the Compose default (512M) would
 * stop tests on a 16 GB runner at 409 MB.
 */
export const CI_LIMIT = 'auto';

/** The variables whose config key the governing pytest config sets: the environment would override the user's value. */
function setByConfig(ws: Workspace, cwd: string | null, args: Parameters<typeof readPytestArgs>[0]): Set<string> {
  if (cwd === null) return new Set();
  const config = readPytestArgs(args).configFile ? null : governingConfig(cwd, ws);
  const keys: Record<(typeof MONITOR_VARIABLES)[number], string> = {
    PYTEST_MEMORY_LIMIT_MB: 'memory_limit_mb',
    PYTEST_COLLECTION_LIMIT_MB: 'collection_memory_limit_mb',
  };
  return new Set(config ? MONITOR_VARIABLES.filter((v) => getEntry(config, keys[v])) : []);
}

const COMPOSE_DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/**
 * Whether the Compose service already gives pytest both variables (or may, through `env_file`, which is not
 * read): then the container has its limits whatever the step's env says.
 */
async function serviceHasLimits(ws: Workspace, container: ContainerRun, cwd: string): Promise<boolean> {
  if (container.kind === 'docker run') return false;
  const files =
    container.composeFiles.length > 0
      ? container.composeFiles.map((f) => resolve(cwd, f))
      : COMPOSE_DEFAULT_FILES.map((f) => resolve(cwd, f))
          .filter((f) => ws.text(f) !== null)
          .slice(0, 1);
  for (const file of files) {
    const text = ws.text(file);
    if (text === null) continue;
    try {
      const compose = await loadCompose(ws, file, text);
      const service = compose.services.find((s) => s.name === container.target);
      if (!service) continue;
      if (service.map.has('env_file')) return true;
      if (MONITOR_VARIABLES.every((v) => service.environment.names.has(v))) return true;
    } catch {
      // A broken Compose file is the Compose analyzer's to report.
    }
  }
  return false;
}

/** `-e NAME=auto` flags after `run`/`exec`, or `-e NAME=$NAME` where the step's env sets NAME (so its value reaches the container). */
function envFlagsEdit(ci: CiFile, job: CiJob, command: CiCommand, container: ContainerRun, missing: readonly string[]): Edit | null {
  const { verb } = container;
  const at = scalarOffset(ci.text, command.scalar, command.source, verb.start, verb.end - verb.start);
  if (at === null) return null;
  const flags = missing.map((v) => ` -e ${v}=${job.names.has(v) ? `$${v}` : CI_LIMIT}`).join('');
  return { file: ci.file, start: at + (verb.end - verb.start), end: at + (verb.end - verb.start), text: flags };
}

/** The CI side of `require-memory-limit`: a job that runs pytest without the monitor's limits where pytest runs. */
export default defineRule<CiFile, 'noLimits' | 'inContainer', Options>({
  meta: {
    ...pytestRule.meta,
    messages: {
      noLimits: '`{{job}}` runs pytest without {{missing}} in its {{key}}: the memory monitor has no limit to enforce on this runner',
      inContainer:
        "`{{job}}` runs pytest inside a container (`{{container}}`), which does not see the {{key}} of the job: {{missing}} must be passed with `-e` or set in the container's environment",
    },
  },
  async check(ctx, ci) {
    for (const job of ci.jobs) {
      if (job.runner !== 'pytest') continue;
      let direct = false;
      const configured = new Set<string>(MONITOR_VARIABLES);
      for (const command of job.commands) {
        const run = pytestRunOf(command.words);
        if (!run) continue;
        const fromConfig = setByConfig(ci.ws, command.cwd, run.args);
        if (!run.container) {
          direct = true;
          for (const v of MONITOR_VARIABLES) if (!fromConfig.has(v)) configured.delete(v);
          continue;
        }
        const container = run.container;
        const missing = MONITOR_VARIABLES.filter((v) => !container.envNames.has(v) && !fromConfig.has(v));
        if (missing.length === 0 || (command.cwd !== null && (await serviceHasLimits(ci.ws, container, command.cwd)))) continue;
        const edit = envFlagsEdit(ci, job, command, container, missing);
        ctx.report({
          messageId: 'inContainer',
          severity: 'warning',
          data: {
            job: job.name,
            container: `${container.kind.startsWith('compose') ? 'docker compose ' : 'docker '}${container.kind.split(' ')[1]} ${container.target}`,
            missing: missing.join(' and '),
            key: job.key,
          },
          file: ci.file,
          ...job.at,
          fix: edit
            ? { title: `Pass ${missing.join(', ')} into the container of ${job.name}`, applicability: 'safe', edits: [edit] }
            : null,
        });
      }
      if (!direct) continue;
      const wanted = MONITOR_VARIABLES.filter((v) => !job.names.has(v) && !configured.has(v)).map((v) => [v, CI_LIMIT] as const);
      if (wanted.length === 0) continue;
      const missing = wanted.map(([v]) => v);
      const edit = addEntries(ci.text, job.owner, job.existing, job.key, wanted);
      ctx.report({
        messageId: 'noLimits',
        data: { job: job.name, missing: missing.join(' and '), key: job.key },
        // The monitor's own `auto` limit still applies: the job's explicit limit is a refinement, a warning
        // under every preset (strict makes the config's missing monitor an error, not each CI step).
        severity: 'warning',
        file: ci.file,
        ...job.at,
        fix: edit
          ? {
              title: `Set ${missing.join(', ')} for ${job.name}`,
              applicability: 'safe',
              edits: [{ file: ci.file, start: edit.at, end: edit.at, text: edit.text }],
            }
          : null,
      });
    }
  },
});
