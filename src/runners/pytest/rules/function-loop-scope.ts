import { defineRule } from '../../../core/rule.js';
import { getEntry, typedValue } from '../config.js';
import { insertEntry, renderValue, replaceValue } from '../edit.js';
import { headerRange, isActive } from '../rule-kit.js';
import { usesPytestAsyncio, type PytestTarget } from '../target.js';

export default defineRule<PytestTarget, 'wider' | 'unset', Record<string, never>>({
  meta: {
    id: 'function-loop-scope',
    runners: ['pytest'],
    severity: 'error',
    fix: 'unsafe',
    description: "pytest-asyncio's default fixture loop scope is `function`.",
    messages: {
      wider: '`asyncio_default_fixture_loop_scope = {{scope}}` runs async fixtures in one {{scope}}-wide event loop that lives, with everything bound to it, until the {{scope}} ends',
      unset: 'pytest-asyncio is in use but `asyncio_default_fixture_loop_scope` is unset: each async fixture runs in a loop as wide as its cache scope',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: 'Flags a pytest-asyncio setup whose `asyncio_default_fixture_loop_scope` is unset or wider than `function`.',
      why:
        'With a session-wide default, every async fixture, even a function-cached one, runs in the session\'s event loop, while tests run in their own function loop: connections and tasks pile up on a loop that never closes (the seed project\'s memory build-up), and objects bound to one loop fail in another (`attached to a different loop`).',
      example: {
        file: 'pytest.ini',
        bad: '[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = session\n',
        good: '[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n',
      },
      fixSafety:
        'Unsafe: setting the default to `function` changes which loop every async fixture without an explicit `loop_scope` runs in; a session- or module-cached async fixture then fails with `ScopeMismatch` until it gets `loop_scope=` equal to its `scope` (the test-source rules add that).',
    },
  },
  check(ctx, target) {
    if (!isActive(target) || !usesPytestAsyncio(target)) return;
    const { config } = target;
    const entry = getEntry(config, 'asyncio_default_fixture_loop_scope');
    const value = renderValue(config, 'string', 'function');
    if (entry) {
      const typed = typedValue(config, entry, 'string');
      const scope = typed.ok ? String(typed.value).trim() : '';
      if (scope === 'function' || !['class', 'module', 'package', 'session'].includes(scope)) return;
      ctx.report({
        messageId: 'wider',
        data: { scope },
        start: entry.keyStart,
        end: entry.valueEnd,
        fix: { title: 'Set asyncio_default_fixture_loop_scope to function', applicability: 'unsafe', edits: [replaceValue(config, entry, value)] },
      });
      return;
    }
    ctx.report({
      messageId: 'unset',
      ...headerRange(config),
      fix: {
        title: 'Add asyncio_default_fixture_loop_scope = function',
        applicability: 'unsafe',
        edits: [insertEntry(config, 'asyncio_default_fixture_loop_scope', value)],
      },
    });
  },
});
