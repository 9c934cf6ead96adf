import type { Edit } from '../../../core/diagnostic.js';
import { defineRule } from '../../../core/rule.js';
import { ensureImport, removeListItems } from '../source-edit.js';
import { isWide } from '../source-kit.js';
import type { PytestTarget } from '../target.js';
import { dirname, relative, sep } from 'node:path';
import { asyncioVersion, olderThan, usesAsyncio } from '../asyncio-version.js';
import { isConftest } from '../sources.js';

export default defineRule<PytestTarget, 'override' | 'request' | 'ownOverride' | 'ownRequest' | 'deprecated', Record<string, never>>({
  meta: {
    id: 'no-event-loop-fixture',
    runners: ['pytest'],
    severity: 'error',
    fix: 'sometimes',
    sources: true,
    description: 'No `event_loop` fixture: pytest-asyncio 1.0 removed it.',
    messages: {
      override: 'custom `event_loop` fixture: pytest-asyncio 1.0 removed the fixture, so this override is ignored{{scopeHint}}',
      request:
        '`{{name}}` requests `event_loop`, which pytest-asyncio 1.0 removed: it errors with "fixture \'event_loop\' not found" ({{version}}){{hint}}',
      ownOverride:
        "this `event_loop` fixture is an ordinary fixture since pytest-asyncio 1.0 ({{version}}): tests that request it run, but async tests and fixtures run in pytest-asyncio's own loop, never in the one it returns{{scopeHint}}",
      ownRequest:
        "`{{name}}` requests the project's own `event_loop` fixture ({{where}}): it runs, but since pytest-asyncio 1.0 ({{version}}) the async code runs in pytest-asyncio's loop, so `event_loop` is a different loop from `asyncio.get_running_loop()`{{hint}}",
      deprecated:
        '`event_loop` {{what}}: {{version}} still provides and honours it, but pytest-asyncio 1.0 removes it; move to `loop_scope=` and `asyncio.get_running_loop()` before upgrading',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: 'Where the project uses pytest-asyncio, flags a fixture named `event_loop` and every test or fixture that takes `event_loop` as a parameter, with advice for the pytest-asyncio version the project installs, locks or declares (named in the message). Projects without pytest-asyncio (trio, anyio, plain sync tests) are left alone: there `event_loop` is an ordinary fixture.',
      why: 'pytest-asyncio 1.0 removed the `event_loop` fixture. Tests that request it error during setup ("fixture \'event_loop\' not found"), unless the project defines its own `event_loop` fixture: then they run, but async tests and fixtures run in pytest-asyncio\'s loop, not in the one the fixture returns, so code that schedules on `event_loop` schedules on a loop nobody runs. An override that widened the loop (scope="session") no longer does anything: an override that nothing requests is dead code, reported as a warning. Before 1.0 the fixture still works (a warning, for the upgrade). The replacement is `loop_scope=` on marks and fixtures, and `asyncio.get_running_loop()` inside async code.',
      example: {
        file: 'test_api.py',
        bad: 'import pytest\n\n@pytest.mark.asyncio\nasync def test_ping(event_loop):\n    event_loop.call_soon(print)\n',
        good: 'import asyncio\nimport pytest\n\n@pytest.mark.asyncio\nasync def test_ping():\n    asyncio.get_running_loop().call_soon(print)\n',
        beside: { 'pytest.ini': '[pytest]\nasyncio_mode = auto\n' },
      },
      fixSafety:
        "Unsafe. In an `async def` test or fixture, `event_loop` is the running loop, so the fix drops the parameter and writes `asyncio.get_running_loop()` for each use (adding `import asyncio`); uses inside an inner function or lambda, which may run outside the loop, get no fix. A function-scoped override that no test requests is deleted (pytest-asyncio gives each test its own loop anyway); one that tests request, and a wider one, get no fix; a sync test using the project's own `event_loop` is not reported: its scope belongs in `loop_scope=` of the marks and fixtures that shared it.",
    },
  },
  async check(ctx, target) {
    const project = target.project ? await target.project() : null;
    // Without pytest-asyncio (trio, anyio, plain sync tests) an `event_loop` fixture is just a fixture.
    if (!usesAsyncio(target, project)) return;
    const version = asyncioVersion(project);
    const sources = target.sources ?? [];
    // The project's own event_loop fixtures (conftest.py or the module itself), by file.
    const own = sources.flatMap((source) =>
      source.fixtures.filter((f) => f.fn.name === 'event_loop').map((fixture) => ({ source, fixture })),
    );
    const ownIn = (file: string) =>
      own.find((o) => o.source.file === file) ??
      own.find((o) => isConftest(o.source.file) && file.startsWith(dirname(o.source.file) + sep));
    const requesters = sources.flatMap((s) =>
      s.functions.filter(
        (fn) => fn.params.some((p) => p.name === 'event_loop') && !s.fixtures.some((f) => f.fn === fn && fn.name === 'event_loop'),
      ),
    );
    const requested = requesters.length > 0;
    // Only sync code uses the project's own loop (`event_loop.run_until_complete(...)`): it works as written.
    const asyncRequested = requesters.some((fn) => fn.async);
    if (olderThan(version, '1.0')) {
      // Before 1.0 the fixture exists and overrides of it are honoured: advice for the upgrade, not an error.
      for (const { source, fixture } of own)
        ctx.report({
          messageId: 'deprecated',
          data: { what: 'override', version: version.label },
          file: source.file,
          ...fixture.fn.nameRange,
          severity: 'warning',
        });
      for (const source of sources) {
        for (const fn of source.functions) {
          const param = fn.params.find((p) => p.name === 'event_loop');
          if (param && !source.fixtures.some((f) => f.fn === fn))
            ctx.report({
              messageId: 'deprecated',
              data: { what: `requested by \`${fn.name}\``, version: version.label },
              file: source.file,
              start: param.start,
              end: param.end,
              severity: 'warning',
            });
        }
      }
      return;
    }
    for (const { source, fixture: fx } of own) {
      const { module, file } = source;
      const scope = fx.scope?.value;
      const wide = isWide(scope) || (fx.scope !== null && scope === null);
      let end = fx.fn.end;
      while (end < module.text.length && (module.text[end] === '\n' || module.text[end] === '\r')) end++;
      const scopeHint = wide
        ? `; its scope (${scope ?? fx.scope!.arg.text}) belongs in loop_scope= of the marks and fixtures that shared the loop`
        : '';
      // Requested by some test: it is that test's loop, so it is reported as such and stays.
      if (requested && !asyncRequested) continue;
      if (requested)
        ctx.report({
          messageId: 'ownOverride',
          data: { version: version.label, scopeHint },
          file,
          ...fx.fn.nameRange,
          severity: 'warning',
        });
      else {
        // Nothing requests it (a requester names `event_loop`, so its file is among the parsed sources) and
        // pytest-asyncio 1.x never calls it: dead code that breaks nothing, so a warning.
        ctx.report({
          messageId: 'override',
          data: { scopeHint },
          file,
          ...fx.fn.nameRange,
          severity: 'warning',
          fix: wide
            ? null
            : { title: 'Delete the event_loop override', applicability: 'unsafe', edits: [{ file, start: fx.fn.start, end, text: '' }] },
        });
      }
    }
    for (const source of sources) {
      const { module, file } = source;
      for (const fn of source.functions) {
        if (source.fixtures.some((f) => f.fn === fn && f.fn.name === 'event_loop')) continue;
        const index = fn.params.findIndex((p) => p.name === 'event_loop');
        if (index < 0) continue;
        const ownFixture = ownIn(file);
        // A sync test using the project's own loop fixture runs as written: nothing to say.
        if (ownFixture && !fn.async) continue;
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
        const hint = fixable
          ? ''
          : fn.async
            ? ' (used in an inner function: rewrite by hand)'
            : ' (a sync function: create or get the loop explicitly)';
        const at = { file, start: fn.params[index]!.start, end: fn.params[index]!.end };
        if (ownFixture) {
          const where = `${relative(target.rootDir, ownFixture.source.file).split(sep).join('/')}`;
          ctx.report({
            messageId: 'ownRequest',
            data: { name: fn.name, where, version: version.label, hint },
            ...at,
            severity: 'warning',
            fix,
          });
        } else ctx.report({ messageId: 'request', data: { name: fn.name, version: version.label, hint }, ...at, fix });
      }
    }
  },
});
