import { defineRule } from '../../../core/rule.js';
import type { PytestTarget } from '../target.js';

export default defineRule<PytestTarget, 'deprecated', Record<string, never>>({
  meta: {
    id: 'asyncio-mark-loop-scope',
    runners: ['pytest'],
    severity: 'warning',
    fix: 'sometimes',
    sources: true,
    description: 'The asyncio mark takes `loop_scope=`, not the deprecated `scope=`.',
    messages: {
      deprecated: '`pytest.mark.asyncio(scope=...)` is deprecated in pytest-asyncio; the argument is `loop_scope=`',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: 'Flags `scope=` on the asyncio mark, in a decorator or in `pytestmark`.',
      why: 'pytest-asyncio renamed the argument to `loop_scope` (it selects the event loop a test runs in, not a cache scope) and warns about the old name; with warnings turned into errors the test fails, and a later release drops it.',
      example: {
        file: 'test_api.py',
        bad: 'import pytest\n\n@pytest.mark.asyncio(scope="module")\nasync def test_ping():\n    pass\n',
        good: 'import pytest\n\n@pytest.mark.asyncio(loop_scope="module")\nasync def test_ping():\n    pass\n',
        beside: { 'pytest.ini': '[pytest]\nasyncio_mode = auto\n' },
      },
      fixSafety: 'Safe: the same argument under its new name; no fix when the mark already has `loop_scope=` too.',
    },
  },
  check(ctx, target) {
    for (const source of target.sources ?? []) {
      for (const mark of source.marks) {
        if (mark.name !== 'asyncio') continue;
        const items = mark.call.args?.items ?? [];
        const scope = items.find((a) => a.name === 'scope');
        if (!scope) continue;
        const both = items.some((a) => a.name === 'loop_scope');
        ctx.report({
          messageId: 'deprecated',
          file: source.file,
          start: scope.start,
          end: scope.end,
          fix: both
            ? null
            : {
                title: 'Rename scope= to loop_scope=',
                applicability: 'safe',
                edits: [{ file: source.file, start: scope.start, end: scope.start + 'scope'.length, text: 'loop_scope' }],
              },
        });
      }
    }
  },
});
