import type { Edit } from '../../../core/diagnostic.js';
import { defineRule } from '../../../core/rule.js';
import { ensureImport, removeListItems } from '../source-edit.js';
import { isWide } from '../source-kit.js';
import type { PytestTarget } from '../target.js';

export default defineRule<PytestTarget, 'override' | 'request', Record<string, never>>({
  meta: {
    id: 'no-event-loop-fixture',
    runners: ['pytest'],
    severity: 'error',
    fix: 'sometimes',
    sources: true,
    description: 'No `event_loop` fixture: pytest-asyncio 1.0 removed it.',
    messages: {
      override: 'custom `event_loop` fixture: pytest-asyncio 1.0 removed the fixture, so this override is ignored{{scopeHint}}',
      request: '`{{name}}` requests `event_loop`, which pytest-asyncio 1.0 removed: it errors with "fixture \'event_loop\' not found"{{hint}}',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: 'Flags a fixture named `event_loop` (an override of the fixture pytest-asyncio used to provide) and every test or fixture that takes `event_loop` as a parameter.',
      why: 'pytest-asyncio 1.0 removed the `event_loop` fixture. Tests that request it error during setup; an override that widened the loop (scope="session") no longer does anything, so the suite silently changes how loops are shared. The replacement is `loop_scope=` on marks and fixtures, and `asyncio.get_running_loop()` inside async code.',
      example: {
        file: 'test_api.py',
        bad: 'import pytest\n\n@pytest.mark.asyncio\nasync def test_ping(event_loop):\n    event_loop.call_soon(print)\n',
        good: 'import asyncio\nimport pytest\n\n@pytest.mark.asyncio\nasync def test_ping():\n    asyncio.get_running_loop().call_soon(print)\n',
        beside: { 'pytest.ini': '[pytest]\nasyncio_mode = auto\n' },
      },
      fixSafety:
        'Unsafe. In an `async def` test or fixture, `event_loop` is the running loop, so the fix drops the parameter and writes `asyncio.get_running_loop()` for each use (adding `import asyncio`); uses inside an inner function or lambda, which may run outside the loop, get no fix. A function-scoped override is deleted (pytest-asyncio gives each test its own loop anyway); a wider one gets no fix: its scope belongs in `loop_scope=` of the marks and fixtures that shared it.',
    },
  },
  check(ctx, target) {
    for (const source of target.sources ?? []) {
      const { module, file } = source;
      const overrides = new Set(source.fixtures.filter((f) => f.fn.name === 'event_loop').map((f) => f.fn));
      for (const fx of source.fixtures) {
        if (fx.fn.name !== 'event_loop') continue;
        const scope = fx.scope?.value;
        const wide = isWide(scope) || (fx.scope !== null && scope === null);
        let end = fx.fn.end;
        while (end < module.text.length && (module.text[end] === '\n' || module.text[end] === '\r')) end++;
        ctx.report({
          messageId: 'override',
          data: { scopeHint: wide ? `; its scope (${scope ?? fx.scope!.arg.text}) belongs in loop_scope= of the marks and fixtures that shared the loop` : '' },
          file,
          ...fx.fn.nameRange,
          fix: wide ? null : { title: 'Delete the event_loop override', applicability: 'unsafe', edits: [{ file, start: fx.fn.start, end, text: '' }] },
        });
      }
      for (const fn of source.functions) {
        if (overrides.has(fn)) continue;
        const index = fn.params.findIndex((p) => p.name === 'event_loop');
        if (index < 0) continue;
        const uses = module.eventLoopUses(fn);
        const fixable = fn.async && uses.every((u) => !u.nested);
        let fix = null;
        if (fixable) {
          const edits: Edit[] = removeListItems(file, fn.paramList, fn.params, new Set([index]));
          for (const u of uses) edits.push({ file, start: u.start, end: u.end, text: 'asyncio.get_running_loop()' });
          const imp = uses.length > 0 ? ensureImport(file, module, 'asyncio') : null;
          if (imp) edits.push(imp);
          fix = { title: 'Use asyncio.get_running_loop() instead of event_loop', applicability: 'unsafe' as const, edits };
        }
        ctx.report({
          messageId: 'request',
          data: { name: fn.name, hint: fixable ? '' : fn.async ? ' (used in an inner function: rewrite by hand)' : ' (a sync function: create or get the loop explicitly)' },
          file,
          start: fn.params[index]!.start,
          end: fn.params[index]!.end,
          fix,
        });
      }
    }
  },
});
