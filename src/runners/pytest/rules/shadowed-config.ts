import { basename } from 'node:path';
import { defineRule } from '../../../core/rule.js';
import { headerRange } from '../rule-kit.js';
import type { PytestTarget } from '../target.js';

export default defineRule<PytestTarget, 'shadowed', Record<string, never>>({
  meta: {
    id: 'shadowed-config',
    runners: ['pytest'],
    severity: 'warning',
    fix: 'none',
    description: 'Only one file in a directory holds pytest config.',
    messages: {
      shadowed: 'pytest ignores this config: it reads {{winner}} in the same directory first (files are not merged)',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: 'Flags pytest config in a file that pytest never reads because a file earlier in its search order (pytest.toml, .pytest.toml, pytest.ini, .pytest.ini, pyproject.toml, tox.ini, setup.cfg) in the same directory also holds pytest config.',
      why: 'pytest takes the first file and ignores the rest without merging. Settings in the ignored file, a timeout for example, look configured and do nothing; pytest only mentions it in its header line.',
      example: {
        file: 'tox.ini',
        bad: '[testenv]\ncommands = pytest\n\n[pytest]\ntimeout = 60\n',
        good: '[testenv]\ncommands = pytest\n',
        beside: { 'pytest.ini': '[pytest]\ntestpaths = tests\ntimeout = 60\n' },
      },
      fixSafety: 'No automatic fix: which file should win, and how to merge them, is a decision for the project.',
    },
  },
  check(ctx, target) {
    if (target.role !== 'shadowed' || !target.shadowedBy) return;
    ctx.report({ messageId: 'shadowed', data: { winner: basename(target.shadowedBy) }, ...headerRange(target.config) });
  },
});
