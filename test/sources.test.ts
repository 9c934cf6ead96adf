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
import { listFiles, RULE_FIXTURES } from './support/cases.js';
import { ROOT } from './support/env.js';

/** What any source rule could report on, read from the full parse. */
function reportable(source: PytestSource, registered: ReadonlySet<string> | null): boolean {
  if (source.fixtures.some((f) => f.fn.async || f.fn.name === 'event_loop')) return true;
  if (source.functions.some((f) => f.params.some((p) => p.name === 'event_loop'))) return true;
  if (source.marks.some((m) => m.name === 'asyncio')) return true;
  return registered !== null && source.marks.some((m) => !KNOWN_MARKS.has(m.name) && !registered.has(m.name));
}

const TRICKY = [
  'from pytest import mark as m\n\n@m.docker_safe\ndef test_a():\n    pass\n',
  'import pytest as pt\n\npytestmark = pt . mark . network\n',
  'from pytest_asyncio import fixture as afx\n\n@afx\nasync def pool():\n    yield 1\n',
  'import pytest\n\n@pytest.fixture\ndef event_loop():\n    pass\n',
  'import pytest\n\n@pytest.mark.slow\ndef test_a():\n    pass\n',
  'def test_plain():\n    assert "async fixture" != "mark.x"\n',
];

test('mayMatter is true for every file a source rule could report on', async () => {
  const files = [...listFiles(RULE_FIXTURES).map((f) => join(RULE_FIXTURES, f)), ...listFiles(join(ROOT, 'fixtures', 'netra-core')).map((f) => join(ROOT, 'fixtures', 'netra-core', f))].filter((f) => f.endsWith('.py'));
  assert.ok(files.length > 20, `${files.length} files`);
  const texts = [...files.map((f) => readFileSync(f, 'utf8')), ...TRICKY];
  let skipped = 0;
  for (const [i, text] of texts.entries()) {
    const source = analyzeSource(`f${i}.py`, await parsePython(text));
    for (const registered of [null, new Set<string>(), new Set(['slow'])]) {
      if (reportable(source, registered)) assert.equal(mayMatter(text, registered), true, `${files[i] ?? `tricky #${i - files.length}`} with ${registered ? [...registered] : 'no strict markers'}`);
      else if (!mayMatter(text, registered)) skipped++;
    }
  }
  // The filter does skip files, or it would be no help.
  assert.ok(skipped > 0);
});
