import { join, relative } from 'node:path';
import { defineRule } from '../../../core/rule.js';
import { MONITOR_MODULE } from '../../../monitor/stamp.js';
import { DEFAULT_CONTAINER_MEMORY, DEFAULT_CONTAINER_RESERVATION } from '../../compose/limits.js';
import { getEntry, listValue } from '../config.js';
import { installMonitorEdits, monitorHome, monitorLoaded, monitorProblem } from '../monitor-install.js';
import { headerRange, isActive } from '../rule-kit.js';
import { addoptsFlag, type PytestTarget } from '../target.js';

interface Options {
  containerMemory?: string;
  containerReservation?: string;
  /** `memory_limit_mb` the fix sets: MB, or `auto` (a share of the container's memory limit). */
  limitMb?: string | number;
  collectionLimitMb?: string | number;
}

export default defineRule<PytestTarget, 'missing' | 'notLoaded' | 'noPlace', Options>({
  meta: {
    id: 'require-memory-limit',
    runners: ['pytest', 'jest', 'vitest'],
    severity: { recommended: 'warning', strict: 'error' },
    fix: 'safe',
    description: 'A memory limit is enforced while tests are collected and run.',
    messages: {
      missing:
        'no memory limit is enforced: a leaking or greedy test grows until the container is OOM-killed, taking the whole run with it',
      notLoaded: '`{{key}}` is set but the memory monitor is not loaded, so pytest ignores it (and `--strict-config` refuses it)',
      noPlace:
        'no memory limit is enforced: a leaking or greedy test grows until the container is OOM-killed; the monitor is not installed because {{why}}',
    },
    options: {
      type: 'object',
      properties: {
        limitMb: {
          type: ['string', 'number'],
          pattern: '^(auto|[0-9]{1,7}(\\.[0-9]+)?)$',
          exclusiveMinimum: 0,
          maximum: 1_048_576,
          default: 'auto',
          description: 'memory_limit_mb the fix sets: MB, or auto.',
        },
        collectionLimitMb: {
          type: ['string', 'number'],
          pattern: '^(auto|[0-9]{1,7}(\\.[0-9]+)?)$',
          exclusiveMinimum: 0,
          maximum: 1_048_576,
          default: 'auto',
          description: 'collection_memory_limit_mb the fix sets: MB, or auto.',
        },
        containerMemory: {
          type: 'string',
          default: DEFAULT_CONTAINER_MEMORY,
          description: 'Docker Compose: the memory limit the fix gives a test service.',
        },
        containerReservation: {
          type: 'string',
          default: DEFAULT_CONTAINER_RESERVATION,
          description: 'Docker Compose: the memory reservation the fix gives a test service.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { limitMb: 'auto', collectionLimitMb: 'auto' },
    docs: {
      what: `Flags a pytest config that neither loads the memory monitor (\`-p ${MONITOR_MODULE}\`) nor sets another memory limit (pytest-memray in \`required_plugins\`), and a config that sets the monitor's keys without loading it. In Docker Compose files, a service whose command or entrypoint runs pytest, jest or vitest without a container memory limit (\`deploy.resources.limits.memory\` or \`mem_limit\`), or running pytest without \`PYTEST_MEMORY_LIMIT_MB\` and \`PYTEST_COLLECTION_LIMIT_MB\` in its environment; in GitHub Actions workflows and \`.gitlab-ci.yml\`, a step or job that runs pytest without both variables in scope (workflow, job or step \`env\`; global or job \`variables\`).`,
      why: "The kernel's OOM killer ends the whole container, not the test that used the memory: the run dies without a report and without saying which test grew. The monitor sees each test's exact peak and fails it (or skips the tests after it, or warns) before the container limit is reached, and stops a run whose collection alone is over its limit.",
      example: {
        file: 'pytest.ini',
        bad: '[pytest]\ntestpaths = tests\n',
        good: `[pytest]\ntestpaths = tests\naddopts = -p ${MONITOR_MODULE}\nmemory_limit_mb = auto\ncollection_memory_limit_mb = auto\n`,
      },
      fixSafety: `Safe: the fix writes \`${MONITOR_MODULE}.py\` beside the conftest.py of the test root (the directory \`testpaths\` names, or the common directory of its entries; the config's directory only where a conftest.py already sits there), and appends to that conftest.py (or creates it) a few lines that import the module by its file path and list it in \`pytest_plugins\`: nothing is added to \`sys.path\` (no \`pythonpath = .\`), so a CI job testing the built wheel with \`python -Im pytest\` still imports the wheel, and the module ships wherever the tests ship (an sdist including \`/tests\` includes it). It sets \`memory_limit_mb\` and \`collection_memory_limit_mb\` (options \`limitMb\`, \`collectionLimitMb\`; default \`auto\`: 80% of the container's memory limit divided across xdist workers, half that for collection). Tests only change outcome when a process is over that limit, which is where the container would otherwise be killed. No fix, and the message says why, where there is no such test root, where the sdist (hatch, flit, Poetry, PDM, setuptools' MANIFEST.in) would ship the conftest but not the module, or where an environment (tox env, nox session, CI job) runs pytest with the strict config on paths outside the test root, where the conftest is not read. In Compose the fix adds \`deploy.resources\` (limit \`containerMemory\`, default ${DEFAULT_CONTAINER_MEMORY}; reservation \`containerReservation\`, ${DEFAULT_CONTAINER_RESERVATION}) and the monitor's variables derived from the container's limit (80%, and half that for collection), in the file's own indentation and environment style; a service with a \`deploy\` block but no memory, or flow-style YAML, is reported without a fix. In CI the two variables go into the step's \`env\` or the job's \`variables\` as \`auto\` (the monitor sizes the limit from the runner's cgroup or physical memory: hosted runners have gigabytes, not the Compose default), except those whose key the governing config sets (the environment would override it); a step that runs pytest inside \`docker compose run\`/\`exec\` or \`docker run\` gets \`-e NAME=auto\` flags (\`-e NAME=$NAME\` where the job's env sets it) after \`run\`/\`exec\`, since a step's env never reaches a container, and nothing where the Compose service sets them.`,
    },
  },
  async check(ctx, target) {
    if (!isActive(target)) return;
    const { config } = target;
    if (listValue(config, 'required_plugins', 'args').some((p) => /^pytest-memray\b/.test(p))) return;
    if (monitorLoaded(target)) return;
    const limits = { limitMb: String(ctx.options.limitMb ?? 'auto'), collectionLimitMb: String(ctx.options.collectionLimitMb ?? 'auto') };
    // Beside the test root's conftest.py, loaded from there: only where every environment then loads it.
    const home = monitorHome(target);
    const project = target.project ? await target.project() : null;
    const why = 'dir' in home ? monitorProblem(target, project, home.dir) : home.why;
    const fix =
      'dir' in home && why === null
        ? {
            title: `Install the memory monitor (${MONITOR_MODULE}) beside ${relative(target.rootDir, join(home.dir, 'conftest.py'))} with its limits`,
            applicability: 'safe' as const,
            edits: installMonitorEdits(target, limits, home.dir),
          }
        : null;
    const key = ['memory_limit_mb', 'collection_memory_limit_mb', 'memory_limit_action', 'memory_report_top']
      .map((k) => getEntry(config, k))
      .find((e) => e);
    if (key) {
      ctx.report({ messageId: 'notLoaded', data: { key: key.key }, start: key.keyStart, end: key.keyEnd, fix });
      return;
    }
    const flag = addoptsFlag(config, '--memory-limit-mb', '--collection-memory-limit-mb', '--memory-limit-action');
    if (flag) {
      ctx.report({ messageId: 'notLoaded', data: { key: flag.flag! }, start: flag.item.start, end: flag.item.end, fix });
      return;
    }
    if (why !== null) ctx.report({ messageId: 'noPlace', data: { why }, ...headerRange(config) });
    else ctx.report({ messageId: 'missing', ...headerRange(config), fix });
  },
});
