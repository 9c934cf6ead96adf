import type { Edit } from '../../../core/diagnostic.js';
import { defineRule } from '../../../core/rule.js';
import { getEntry, listItems, listValue, typedValue } from '../config.js';
import { appendItem, insertEntries, renderValue, replaceValue } from '../edit.js';
import { headerRange, isActive } from '../rule-kit.js';
import { addoptsFlag, type PytestTarget } from '../target.js';
import type { PytestConfig } from '../config.js';
import { pluginDependency } from '../plugin-dependency.js';
import { describeEnvironments, lackingPlugin } from '../environments.js';

interface Options {
  /** Per-test timeout the fix sets, in seconds. */
  seconds?: number;
  /** Whether the fix also lists pytest-timeout in `required_plugins`. */
  requirePlugin?: boolean;
}

/** Make pytest-timeout an explicit dependency: without it installed, `timeout` would be an unknown key that does nothing. */
export function requirePluginEdits(config: PytestConfig, plugin: string): { edit: Edit | null; pair: [string, string] | null } {
  const entry = getEntry(config, 'required_plugins');
  if (!entry) return { edit: null, pair: ['required_plugins', renderValue(config, 'args', [plugin])] };
  if (listValue(config, 'required_plugins', 'args').some((p) => p.split(/[<>=!~ ]/)[0] === plugin)) return { edit: null, pair: null };
  return { edit: appendItem(config, entry, listItems(config, entry, 'args'), plugin), pair: null };
}

export default defineRule<PytestTarget, 'missing' | 'disabled', Options>({
  meta: {
    id: 'require-timeout',
    runners: ['pytest', 'jest', 'vitest'],
    severity: { recommended: 'warning', strict: 'error' },
    fix: 'safe',
    description: 'Every test has a time limit.',
    messages: {
      missing: 'no per-test timeout: a test that hangs holds its worker, and its memory, until CI kills the whole job{{plugin}}',
      disabled: '`timeout = {{value}}` turns the per-test timeout off',
    },
    options: {
      type: 'object',
      properties: {
        seconds: { type: 'number', exclusiveMinimum: 0, maximum: 86_400, default: 120, description: 'Timeout the fix sets, in seconds.' },
        requirePlugin: { type: 'boolean', default: true, description: 'Also add pytest-timeout to required_plugins.' },
      },
      additionalProperties: false,
    },
    defaultOptions: { seconds: 120, requirePlugin: true },
    docs: {
      what: 'Flags a pytest config without a per-test timeout (`timeout` key of pytest-timeout, or `--timeout` in `addopts`), or with the timeout set to 0.',
      why: 'A test that deadlocks or waits on a network peer never ends by itself: the worker keeps its memory, xdist cannot reuse it, and the CI job ends at its own limit with no hint which test hung. pytest-timeout fails the test and dumps stacks instead.',
      example: {
        file: 'pytest.ini',
        bad: '[pytest]\ntestpaths = tests\n',
        good: '[pytest]\ntestpaths = tests\ntimeout = 120\nrequired_plugins = pytest-timeout\n',
      },
      fixSafety:
        "Safe where the project already has pytest-timeout, or where the fix can add it to the project's test dependencies in the same change (the dependency group, extra or requirements file that already lists pytest, in that file's style): the fix adds `timeout` (option `seconds`, default 120) and lists pytest-timeout in `required_plugins`, so a machine without the plugin says so instead of silently running without a limit. Every list an environment installs pytest from gets it (requirements-ci.txt and requirements-win-test.txt alike), so no job is left without the plugin; a tox env, nox session or CI job that runs the config and installs pytest otherwise (`pip install pytest`, none of those lists) makes the fix unsafe, and the message names it. Only a test that runs past the limit changes outcome. Unsafe where no such list exists (the message says where to add it), and where a lock or compiled file pins the list (uv.lock, poetry.lock, pdm.lock, Pipfile.lock, a pip-compile output: the fix edits the source, and the message names the command to run): until the plugin is installed, `required_plugins` stops pytest at start-up (exit 4).",
    },
  },
  async check(ctx, target) {
    if (!isActive(target)) return;
    const { config } = target;
    if (addoptsFlag(config, '--timeout')) return;
    const seconds = String(ctx.options.seconds ?? 120);
    const entry = getEntry(config, 'timeout');
    if (entry) {
      const typed = typedValue(config, entry, 'string');
      const value = typed.ok ? String(typed.value).trim() : '';
      if (value === '' || Number(value) !== 0) return;
      ctx.report({
        messageId: 'disabled',
        data: { value },
        // The run has no timeout whatever the policy: an error under every preset.
        severity: 'error',
        start: entry.keyStart,
        end: entry.valueEnd,
        fix: {
          title: `Set timeout to ${seconds} seconds`,
          applicability: 'safe',
          edits: [replaceValue(config, entry, renderValue(config, 'string', seconds))],
        },
      });
      return;
    }
    const pairs: [string, string][] = [['timeout', renderValue(config, 'string', seconds)]];
    const edits: Edit[] = [];
    // The plugin must be one the project installs: add it where the project keeps pytest, or hold the fix back.
    const project = target.project ? await target.project() : undefined;
    const dependency = project ? pluginDependency(project, 'pytest-timeout') : { edits: [], missing: false, note: '' };
    edits.push(...dependency.edits);
    // Every tox env, nox session and CI job that runs the config must get the plugin: one that has it, or
    // installs from a list the fix extends. One that installs pytest otherwise (`pip install pytest`) would
    // stop at `required_plugins` (or run without a limit): the fix is unsafe there, and the message says where.
    const extended = new Set((dependency.lists ?? []).map((l) => `${l.file}\0${l.group}`));
    const lacking = project
      ? lackingPlugin(project.environments, 'pytest-timeout').filter((e) => !e.lists.some((l) => extended.has(`${l.file}\0${l.group}`)))
      : [];
    const where = (dependency.lists ?? []).map((l) => l.group).filter((f, i, all) => all.indexOf(f) === i);
    const one = lacking.length === 1;
    const envNote =
      lacking.length > 0 && !dependency.missing
        ? `; ${describeEnvironments(lacking)} ${one ? 'installs' : 'install'} ${
            where.length > 0
              ? `none of ${where.join(', ')}, so ${one ? 'it' : 'they'} would lack pytest-timeout`
              : 'pytest without pytest-timeout'
          }: add it there too, or pytest will not start there with the fixed config`
        : '';
    if (ctx.options.requirePlugin !== false) {
      const required = requirePluginEdits(config, 'pytest-timeout');
      if (required.pair) pairs.push(required.pair);
      if (required.edit) edits.push(required.edit);
    }
    edits.push(insertEntries(config, pairs));
    ctx.report({
      messageId: 'missing',
      data: { plugin: dependency.note + envNote },
      ...headerRange(config),
      fix: {
        title: `Add a ${seconds} s per-test timeout (pytest-timeout)${dependency.group ? ` and add pytest-timeout to ${dependency.group}` : ''}`,
        applicability: dependency.missing || lacking.length > 0 ? 'unsafe' : 'safe',
        edits,
      },
    });
  },
});
