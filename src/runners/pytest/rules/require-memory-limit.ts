import { defineRule } from '../../../core/rule.js';
import { getEntry, listValue } from '../config.js';
import { headerRange, isActive } from '../rule-kit.js';
import { addoptsFlag, addoptsPlugins, type PytestTarget } from '../target.js';

export const MEMORY_PLUGIN_MODULE = 'pytest_memory_plugin';

export default defineRule<PytestTarget, 'missing', Record<string, never>>({
  meta: {
    id: 'require-memory-limit',
    runners: ['pytest', 'jest', 'vitest'],
    severity: 'warning',
    fix: 'none',
    description: 'A memory limit is enforced while tests are collected and run.',
    messages: {
      missing: 'no memory limit is enforced: a leaking or greedy test grows until the container is OOM-killed, taking the whole run with it',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: `Flags a pytest config that neither loads the memory monitor (\`-p ${MEMORY_PLUGIN_MODULE}\`, its \`memory_limit_mb\` key or \`--memory-limit-mb\`) nor sets another memory limit.`,
      why:
        'The kernel\'s OOM killer ends the whole container, not the test that used the memory: the run dies without a report and without saying which test grew. A monitor inside pytest sees each test\'s peak and can skip, fail or warn before the container limit is reached.',
      example: {
        file: 'pytest.ini',
        bad: '[pytest]\ntestpaths = tests\n',
        good: `[pytest]\ntestpaths = tests\naddopts = -p ${MEMORY_PLUGIN_MODULE}\nmemory_limit_mb = 512\n`,
      },
      fixSafety: 'No automatic fix yet: installing the memory monitor module comes with the monitor itself.',
    },
  },
  check(ctx, target) {
    if (!isActive(target)) return;
    const { config } = target;
    if (getEntry(config, 'memory_limit_mb') || addoptsFlag(config, '--memory-limit-mb')) return;
    if (addoptsPlugins(config).includes(MEMORY_PLUGIN_MODULE)) return;
    if (listValue(config, 'required_plugins', 'args').some((p) => /^pytest-memray\b/.test(p))) return;
    ctx.report({ messageId: 'missing', ...headerRange(config) });
  },
});
