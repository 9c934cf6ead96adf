import { defineRule } from '../../../core/rule.js';
import { asyncFixtures, isWide } from '../source-kit.js';
import { removeListItems } from '../source-edit.js';
import type { PytestTarget } from '../target.js';

/** Calls that start something a test suite shares on purpose: one per test would be many containers or servers. */
const RESOURCES: [kind: string, pattern: RegExp][] = [
  ['container', /\b(?:\w*Container|DockerCompose|docker\.from_env|containers\.run)\s*\(/],
  ['server', /\b(?:start_server|create_server|serve|run_server|TestServer|\w*Server|uvicorn\.\w+)\s*\(/],
  ['client', /\b(?:AsyncClient|ClientSession|\w*Client)\s*\(/],
  ['pool', /\b(?:create_pool|create_async_engine|create_engine|\w*Pool|from_url)\s*\(/],
];

/** The resource a fixture starts and hands out (it yields or returns after starting it), if any. */
export function startedResource(text: string, body: { start: number; end: number }): { kind: string; call: string } | null {
  const code = text.slice(body.start, body.end);
  if (!/\b(?:yield|return)\b/.test(code)) return null;
  for (const [kind, re] of RESOURCES) {
    const m = re.exec(code);
    if (m) return { kind, call: m[0].replace(/\s*\($/, '(…)') };
  }
  return null;
}

export default defineRule<PytestTarget, 'scope' | 'loopScope' | 'resource', Record<string, never>>({
  meta: {
    id: 'async-fixture-scope',
    runners: ['pytest'],
    severity: 'warning',
    fix: 'unsafe',
    sources: true,
    description: "Async fixtures are cached per test, in the test's own event loop.",
    messages: {
      scope: 'async fixture `{{name}}` has scope="{{scope}}": it, its event loop and everything they hold live until the {{scope}} ends',
      loopScope:
        'async fixture `{{name}}` runs in a {{scope}}-wide event loop (loop_scope="{{scope}}") that lives, with everything bound to it, until the {{scope}} ends',
      resource:
        'async fixture `{{name}}` has scope="{{scope}}" and hands out a started {{kind}} (`{{call}}`): it and its event loop live until the {{scope}} ends, but narrowing it would start one {{kind}} per test, so there is no fix; to keep it working under a function default loop scope give it loop_scope="{{scope}}" (the function-loop-scope fix writes it)',
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
        'Unsafe: the fix removes `scope=` and `loop_scope=`, so the fixture is created and torn down for every test that uses it. A wide fixture that hands out a started container, server, client or pool (a call such as `PostgresContainer(...)`, `start_server(...)`, `AsyncClient(...)`, `create_pool(...)` before its `yield`/`return`) gets no fix: one per test would start dozens of containers or close a shared client after the first test; `loop_scope=` equal to its scope, written by the function-loop-scope fix, is the remedy there. That is slower for an expensive resource, and tests that relied on state shared through it (a value cached across tests) behave differently.',
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
      const resource = isWide(scope) ? startedResource(source.module.text, fixture.fn.body) : null;
      if (resource) {
        // A shared container, server, client or pool is the point of the wide scope: never narrowed by a fix.
        ctx.report({
          messageId: 'resource',
          data: { name: fixture.fn.name, scope: scope!, kind: resource.kind, call: resource.call },
          file: source.file,
          start: at.start,
          end: at.end,
        });
        continue;
      }
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
