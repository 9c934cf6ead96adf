import { defineRule } from '../../../core/rule.js';
import { getEntry, listItems } from '../config.js';
import { appendItem, insertEntry, renderValue } from '../edit.js';
import { headerRange, isActive } from '../rule-kit.js';
import { addoptsFlag, type PytestTarget } from '../target.js';

interface Options {
  /** `--maxfail` value the fix adds. */
  maxfail?: number;
}

export default defineRule<PytestTarget, 'missing', Options>({
  meta: {
    id: 'require-fail-fast',
    runners: ['pytest'],
    severity: 'warning',
    fix: 'unsafe',
    description: 'A broken run stops early (`--maxfail`).',
    messages: {
      missing: 'no fail-fast limit: when the environment is broken every test still runs to its own failure (add `--maxfail` to addopts)',
    },
    options: {
      type: 'object',
      properties: {
        maxfail: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 10, description: 'Failures after which the run stops.' },
      },
      additionalProperties: false,
    },
    defaultOptions: { maxfail: 10 },
    docs: {
      what: 'Flags a pytest config whose `addopts` has neither `--maxfail` nor `-x`/`--exitfirst`.',
      why: 'When a database is down or an import is broken, thousands of tests fail one by one, each building and tearing down fixtures; in a memory-limited container that is minutes of churn (and often the OOM) before the one useful message. A failure limit ends such runs early.',
      example: {
        file: 'pytest.ini',
        bad: '[pytest]\naddopts = -ra\n',
        good: '[pytest]\naddopts = -ra --maxfail=10\n',
      },
      fixSafety: 'Unsafe: with `--maxfail=N` a run with more than N failures stops and reports only the first N.',
    },
  },
  check(ctx, target) {
    if (!isActive(target)) return;
    const { config } = target;
    if (addoptsFlag(config, '--maxfail', '-x', '--exitfirst')) return;
    const flag = `--maxfail=${ctx.options.maxfail ?? 10}`;
    const entry = getEntry(config, 'addopts');
    const edit = entry
      ? appendItem(config, entry, listItems(config, entry, 'args'), flag)
      : insertEntry(config, 'addopts', renderValue(config, 'args', [flag]));
    ctx.report({
      messageId: 'missing',
      ...(entry ? { start: entry.keyStart, end: entry.valueEnd } : headerRange(config)),
      fix: { title: `Add ${flag} to addopts`, applicability: 'unsafe', edits: [edit] },
    });
  },
});
