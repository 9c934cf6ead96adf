import { defineRule } from '../../../core/rule.js';
import { removeMember } from '../../../formats/js-edit.js';
import type { JsTestSource, ScopedFixture } from '../sources.js';

export default defineRule<JsTestSource, 'scopedFixture' | 'sharedSetup', Record<string, never>>({
  meta: {
    id: 'async-fixture-scope',
    runners: ['vitest', 'jest'],
    severity: 'warning',
    fix: 'suggestion',
    description: 'Async fixtures are set up per test, not once for a whole suite.',
    messages: {
      scopedFixture:
        "fixture `{{name}}` is scoped to the {{scope}} (`scope: '{{scope}}'`): what it builds lives as long as the {{scope}}, shared by every test in it",
      sharedSetup:
        '`beforeAll` at the top of the file {{held}}: held until the file ends and shared by every test in it; prefer a per-test fixture, or release it in `afterAll`',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    sources: true,
    docs: {
      what: "Flags Vitest `test.extend` fixtures declared with `{ scope: 'worker' }` or `{ scope: 'file' }`, and a top-level `beforeAll` in Jest and Vitest test files that holds something for the whole file: it assigns a binding declared outside it (what it built stays reachable from every test), or starts something (`listen`, `start`, `connect`, `open`, `launch`, `createServer`, `createConnection`, `createPool`, `createClient`), including a method passed by reference (`beforeAll(server.listen)`). A `beforeAll` that only resets or configures (`server.resetHandlers()`) holds nothing and is not reported, async or not; nor is what a top-level `afterAll` (before or after it) releases: a method called on the binding (`await payload.destroy()`, `afterAll(server.close)`), the binding set to `undefined` or `null`, or passed to a function (`await closeDb(db)`).",
      why: 'A worker-scoped fixture lives as long as the worker: its connections, caches and buffers accumulate across every file the worker runs, which is how a suite that passes file by file runs a container out of memory. A top-level `beforeAll` that keeps a server or a connection, or stores what it built in a shared variable, does the same for a file, and couples its tests through shared state.',
      example: {
        file: 'src/db.test.ts',
        bad: "import { test as base } from 'vitest';\n\nconst test = base.extend({\n  db: [async ({}, use) => { await use({}); }, { scope: 'worker' }],\n});\n\ntest('reads', ({ db }) => {});\n",
        good: "import { test as base } from 'vitest';\n\nconst test = base.extend({\n  db: async ({}, use) => { await use({}); },\n});\n\ntest('reads', ({ db }) => {});\n",
      },
      fixSafety:
        "A suggestion, never applied by `fix` (not even with `--unsafe`): the finding carries the edit that removes `scope:` (and the options tuple when nothing else is in it), shown in json (`suggestions`) and SARIF (`fixes`) output. A test may rely on what the fixture shares across the file or worker (Vitest's own suite does: a value written by one test and read by the next), and it fails once the fixture is built per test; only the author can tell. `beforeAll` gets no fix: moving its work into a fixture means rewriting the tests that use it.",
    },
  },
  check(ctx, source) {
    for (const fixture of source.fixtures) {
      ctx.report({
        messageId: 'scopedFixture',
        data: { name: fixture.name, scope: fixture.scope },
        start: fixture.scopeProperty.start,
        end: fixture.scopeProperty.end,
        // A suggestion, not a fix: tests that rely on the state the fixture shares fail once it is per test.
        suggest: [{ title: `Scope ${fixture.name} to the test`, edits: [unscope(source.text, source.file, fixture)] }],
      });
    }
    for (const setup of source.setups)
      ctx.report({
        messageId: 'sharedSetup',
        data: { held: setup.held.join(' and ') },
        start: setup.call.start,
        end: setup.call.start + 'beforeAll'.length,
      });
  },
});

function unscope(text: string, file: string, fixture: ScopedFixture) {
  if (fixture.options.members.length === 1) {
    // `[fn, { scope: 'worker' }]` becomes `fn`.
    return { file, start: fixture.tuple.start, end: fixture.tuple.end, text: text.slice(fixture.fixture.start, fixture.fixture.end) };
  }
  const index = fixture.options.members.findIndex((m) => m.start === fixture.scopeProperty.start);
  return removeMember(text, file, fixture.options.members, index);
}
