import { defineRule } from '../../../core/rule.js';
import { asyncFixtures, isWide } from '../source-kit.js';
import { removeListItems } from '../source-edit.js';
import type { PytestTarget } from '../target.js';

export default defineRule<PytestTarget, 'scope' | 'loopScope', Record<string, never>>({
  meta: {
    id: 'async-fixture-scope',
    runners: ['pytest'],
    severity: 'warning',
    fix: 'unsafe',
    sources: true,
    description: 'Async fixtures are cached per test, in the test\'s own event loop.',
    messages: {
      scope: 'async fixture `{{name}}` has scope="{{scope}}": it, its event loop and everything they hold live until the {{scope}} ends',
      loopScope: 'async fixture `{{name}}` runs in a {{scope}}-wide event loop (loop_scope="{{scope}}") that lives, with everything bound to it, until the {{scope}} ends',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: 'Flags an `async def` fixture (`@pytest.fixture`, `@pytest_asyncio.fixture`, or an imported alias of either) cached wider than `function`, or given a `loop_scope` wider than `function`. Sync fixtures are left alone.',
      why: 'A session- or module-scoped async fixture keeps its connections, tasks and the whole event loop alive for the rest of the run, so memory only grows; objects bound to that loop also break in tests that run in their own loop ("attached to a different loop").',
      example: {
        file: 'conftest.py',
        bad: 'import pytest_asyncio\n\n@pytest_asyncio.fixture(scope="session")\nasync def db_pool():\n    yield object()\n',
        good: 'import pytest_asyncio\n\n@pytest_asyncio.fixture\nasync def db_pool():\n    yield object()\n',
        beside: { 'pytest.ini': '[pytest]\nasyncio_mode = auto\n' },
      },
      fixSafety:
        'Unsafe: the fix removes `scope=` and `loop_scope=`, so the fixture is created and torn down for every test that uses it. That is slower for an expensive resource, and tests that relied on state shared through it (a value cached across tests) behave differently.',
    },
  },
  check(ctx, target) {
    for (const { source, fixture } of asyncFixtures(target)) {
      const scope = fixture.scope?.value;
      const loop = fixture.loopScope?.value;
      if (!isWide(scope) && !isWide(loop)) continue;
      const items = fixture.decorator.call.args!.items;
      const remove = new Set([fixture.scope, fixture.loopScope].flatMap((a) => (a ? [items.indexOf(a.arg)] : [])));
      const at = isWide(scope) ? fixture.scope!.arg : fixture.loopScope!.arg;
      ctx.report({
        messageId: isWide(scope) ? 'scope' : 'loopScope',
        data: { name: fixture.fn.name, scope: isWide(scope) ? scope : loop! },
        file: source.file,
        start: at.start,
        end: at.end,
        fix: {
          title: `Make ${fixture.fn.name} function-scoped`,
          applicability: 'unsafe',
          // Nothing left to pass: drop the parentheses too (`@pytest_asyncio.fixture`).
          edits:
            remove.size === items.length
              ? [{ file: source.file, start: fixture.decorator.call.args!.start, end: fixture.decorator.call.args!.end, text: '' }]
              : removeListItems(source.file, fixture.decorator.call.args!, items, remove),
        },
      });
    }
  },
});
