/**
 * The text prefilter that lets `check` skip parsing most test modules must never skip a file the source
 * rules would report on: every file of the rule fixtures, the sample project and some tricky spellings is
 * parsed anyway and compared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePython } from '../src/formats/python.js';
import { analyzeSource, KNOWN_MARKS, mayMatter, type PytestSource } from '../src/runners/pytest/sources.js';
import { mayTakePart } from '../src/runners/pytest/fixture-graph.js';
import { listFiles, RULE_FIXTURES } from './support/cases.js';
import { ROOT } from './support/env.js';

/** What any source rule could report on, read from the full parse (each line: the rules that read it). */
function reportable(source: PytestSource, registered: ReadonlySet<string> | null): boolean {
  // no-event-loop-fixture
  if (source.fixtures.some((f) => f.fn.name === 'event_loop')) return true;
  if (source.functions.some((f) => f.params.some((p) => p.name === 'event_loop'))) return true;
  // async-fixture-scope, function-loop-scope (a non-literal scope makes its fix unsafe: it must be seen too)
  if (source.fixtures.some((f) => f.fn.async && (f.scope !== null || f.loopScope !== null))) return true;
  // unused-suppression
  if (source.module.text.includes('netra-migrate: ignore')) return true;
  // asyncio-mark-loop-scope
  if (source.marks.some((m) => m.name === 'asyncio' && (m.call.args?.items ?? []).some((a) => a.name === 'scope'))) return true;
  // registered-markers
  return registered !== null && source.marks.some((m) => !KNOWN_MARKS.has(m.name) && !registered.has(m.name));
}

const TRICKY = [
  'from pytest import mark as m\n\n@m.docker_safe\ndef test_a():\n    pass\n',
  'import pytest as pt\n\npytestmark = pt . mark . network\n',
  'from pytest_asyncio import fixture as afx\n\n@afx(scope="session")\nasync def pool():\n    yield 1\n',
  'import pytest\n\n@pytest.fixture\ndef event_loop():\n    pass\n',
  'import pytest\n\n@pytest.mark.slow\ndef test_a():\n    pass\n',
  'def test_plain():\n    assert "async fixture" != "mark.x"\n',
  // Scopes: multi-line decorators, positional, a mark between, the call form, pytestmark, a non-literal.
  'import pytest_asyncio\n\n@pytest_asyncio.fixture(\n    scope="module",\n)\nasync def pool():\n    yield 1\n',
  'import pytest\n\n@pytest.fixture("session")\nasync def pool():\n    yield 1\n',
  'import pytest\n\n@pytest.fixture(scope="module")\n@pytest.mark.usefixtures("x")\nasync def pool():\n    yield 1\n',
  'import pytest\n\nasync def _pool():\n    yield 1\n\npool = pytest.fixture(scope="session")(_pool)\n',
  'import pytest\n\npytestmark = [pytest.mark.asyncio(scope="module")]\n\ndef helper():\n    pass\n',
  'import pytest\n\nSCOPE = "session"\n\n@pytest.fixture(scope=SCOPE)\nasync def pool():\n    yield 1\n',
  'import pytest_asyncio\n\n@pytest_asyncio.fixture(loop_scope="session")\nasync def pool():\n    yield 1\n',
];

/** Files the filter must skip: sync fixtures with a scope, plain async fixtures and marks, parametrize. */
const IRRELEVANT = [
  'import asyncio\n\ndef test_loop():\n    loop = asyncio.new_event_loop()\n    asyncio.set_event_loop(loop)\n    loop.close()\n',
  'import pytest\n\n@pytest.mark.asyncio(loop_scope="module")\nasync def test_a():\n    pass\n',
  'import pytest\n\n@pytest.fixture(scope="module")\ndef settings():\n    return {}\n',
  'import pytest\n\n@pytest.fixture(\n    scope="session", autouse=True,\n)\ndef env():\n    return {}\n\n@pytest.mark.asyncio\nasync def test_a(env):\n    assert env == {}\n',
  'import pytest, pytest_asyncio\n\n@pytest_asyncio.fixture\nasync def client():\n    yield 1\n\n@pytest.fixture(autouse=True, params=[1, 2])\ndef p(request):\n    return request.param\n',
];

test('mayMatter skips sync scoped fixtures and unscoped async ones', async () => {
  for (const text of IRRELEVANT) {
    assert.equal(reportable(analyzeSource('f.py', await parsePython(text)), new Set()), false, text);
    assert.equal(mayMatter(text, new Set()), false, text);
  }
});

test('mayMatter is true for every file a source rule could report on', async () => {
  const files = [
    ...listFiles(RULE_FIXTURES).map((f) => join(RULE_FIXTURES, f)),
    ...listFiles(join(ROOT, 'fixtures', 'netra-core')).map((f) => join(ROOT, 'fixtures', 'netra-core', f)),
  ].filter((f) => f.endsWith('.py'));
  assert.ok(files.length > 20, `${files.length} files`);
  const texts = [...files.map((f) => readFileSync(f, 'utf8')), ...TRICKY];
  let skipped = 0;
  for (const [i, text] of texts.entries()) {
    const source = analyzeSource(`f${i}.py`, await parsePython(text));
    for (const registered of [null, new Set<string>(), new Set(['slow'])]) {
      if (reportable(source, registered))
        assert.equal(
          mayMatter(text, registered),
          true,
          `${files[i] ?? `tricky #${i - files.length}`} with ${registered ? [...registered].join(',') : 'no strict markers'}`,
        );
      else if (!mayMatter(text, registered)) skipped++;
    }
  }
  // The filter does skip files, or it would be no help.
  assert.ok(skipped > 0);
});

test('a source keeps the functions rules act on, not every test (a run may hold thousands of models)', async () => {
  const text = [
    '"""Docs."""',
    'class TestA:',
    '    def test_in_class(self):',
    '        pass',
    '',
    'def helper():',
    '    return 1',
    '',
    '@pytest.mark.slow',
    'def test_plain():',
    '    pass',
    '',
    'async def test_loop(event_loop):',
    '    event_loop.call_soon(print)',
    '',
    'import pytest',
    '',
    '@pytest.fixture(scope="module")',
    'def shared():',
    '    return 1',
    '',
  ].join('\n');
  const source = analyzeSource('test_x.py', await parsePython(text));
  assert.deepEqual(
    source.functions.map((f) => f.name),
    ['test_loop', 'shared'],
  );
  // The first top-level function stays in the module: a new import goes before it when there is none above.
  assert.deepEqual(
    source.module.functions.map((f) => f.name),
    ['helper', 'test_loop', 'shared'],
  );
  // Marks of dropped functions are kept, and the event_loop uses of a kept requester still resolve.
  assert.deepEqual(
    source.marks.map((m) => m.name),
    ['slow'],
  );
  assert.equal(source.module.eventLoopUses(source.functions[0]!).length, 1);
});

test('event_loop uses: names in a body, not attribute or keyword names, nested under inner defs and lambdas', async () => {
  const text = [
    'async def test_loop(event_loop, other):',
    '    """event_loop in a docstring is no use."""',
    '    x = self.event_loop  # an attribute name',
    '    f(event_loop=1)  # a keyword name',
    '    y = event_loops + my_event_loop',
    '    await event_loop.sleep(0)',
    '    g = lambda: event_loop',
    '    def inner():',
    '        return [event_loop for _ in range(2)]',
    '    return (event_loop)',
    '',
  ].join('\n');
  const module = await parsePython(text);
  const uses = module.eventLoopUses(module.functions.find((f) => f.name === 'test_loop')!);
  const at = (needle: string, nth = 0) => {
    let i = -1;
    for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
    return i + needle.indexOf('event_loop');
  };
  assert.deepEqual(
    uses.map((u) => [text.slice(u.start, u.end), u.start, u.nested]),
    [
      ['event_loop', at('await event_loop'), false],
      ['event_loop', at('lambda: event_loop'), true],
      ['event_loop', at('[event_loop for'), true],
      ['event_loop', at('(event_loop)'), false],
    ],
  );
});

/**
 * The fixture graph (function-loop-scope's safety) reads a test module only when its text says it may define an
 * async fixture, scope the asyncio mark or load plugins (mayTakePart): a test module's fixtures are seen by its
 * own fixtures only, so one without an async fixture is on no chain. Checked against the full parse.
 */
function takesPart(source: PytestSource): boolean {
  if (source.fixtures.some((f) => f.fn.async)) return true;
  if (
    source.marks.some((m) => m.name === 'asyncio' && (m.call.args?.items ?? []).some((a) => a.name === 'scope' || a.name === 'loop_scope'))
  )
    return true;
  return source.module.assignments.some((a) => a.target === 'pytest_plugins');
}

const LOOP_GRAPH_TRICKY = [
  // A decorator over several lines, with `def` in a string inside it; an alias; a continuation line.
  'import pytest\n\n@pytest.fixture(\n    params=["def x"],\n)\nasync def pool(request):\n    yield 1\n',
  'from pytest import fixture as fx\n\ndef helper():\n    pass\n\n@fx\nasync def pool():\n    yield 1\n',
  'import pytest\n\n@pytest.fixture\nasync \\\n  def pool():\n    yield 1\n',
  'import pytest_asyncio as pa\n\nclass TestA:\n    @pa.fixture\n    async def pool(self):\n        yield 1\n',
  'import pytest\n\n@pytest.fixture\n# a comment between\n@other\nasync def pool():\n    yield 1\n',
  'import pytest\n\npytestmark = pytest.mark.asyncio(loop_scope="module")\n\ndef test_a():\n    "fixture"\n',
  'import pytest\n\npytest_plugins = ["tests.fixtures"]\n',
  'from pytest import fixture\n\n@fixture(scope="session")\nasync def pool():\n    yield 1\n',
];

/** The shape most modules of an async suite have: sync fixtures, async tests, `usefixtures`. */
const LOOP_GRAPH_SKIPPED = [
  'import pytest\n\n@pytest.fixture\ndef app():\n    return 1\n\n\nasync def test_a(app):\n    assert app\n',
  'import pytest\n\n@pytest.mark.usefixtures("zlib")\nasync def test_a():\n    pass\n',
  'import pytest\n\nasync def test_a(aiohttp_client):\n    # TODO: use a fixture\n    pass\n\n@pytest.fixture(scope="module")\ndef app():\n    return 1\n',
];

test('mayTakePart: a module the fixture graph leaves unread has no async fixture, scoped asyncio mark or plugins', async () => {
  const files = [
    ...listFiles(RULE_FIXTURES).map((f) => join(RULE_FIXTURES, f)),
    ...listFiles(join(ROOT, 'fixtures', 'netra-core')).map((f) => join(ROOT, 'fixtures', 'netra-core', f)),
  ].filter((f) => f.endsWith('.py') && !f.endsWith('conftest.py'));
  const texts = [...files.map((f) => readFileSync(f, 'utf8')), ...LOOP_GRAPH_TRICKY, ...LOOP_GRAPH_SKIPPED];
  let read = 0;
  for (const [i, text] of texts.entries()) {
    const name = files[i] ?? `spelling #${i - files.length}`;
    const source = analyzeSource('test_x.py', await parsePython(text));
    if (takesPart(source)) assert.equal(mayTakePart('test_x.py', text), true, name);
    if (mayTakePart('test_x.py', text)) read++;
  }
  for (const text of LOOP_GRAPH_TRICKY) assert.equal(mayTakePart('test_x.py', text), true, text);
  for (const text of LOOP_GRAPH_SKIPPED) {
    assert.equal(takesPart(analyzeSource('test_x.py', await parsePython(text))), false, text);
    assert.equal(mayTakePart('test_x.py', text), false, text);
  }
  // A conftest.py is read whatever it says (one that does not parse keeps the fix unsafe).
  assert.equal(mayTakePart(join('tests', 'conftest.py'), 'x = 1\n'), true);
  assert.ok(read < texts.length, 'the graph skips some modules, or it would be no help');
});
