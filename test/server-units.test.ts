/**
 * The language server's pure parts: what a change re-checks (scopeOf), and the one edit fix-all sends
 * (lineDiff: whole lines, so a CRLF or a surrogate pair is never split, and applying it gives the new text).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { scopeOf } from '../src/server/session.js';
import { lineDiff } from '../src/server/index.js';

test('scopeOf: a module, workflow or script itself; a conftest, config or dependency list its directory; a tool config everything', () => {
  assert.equal(scopeOf('/r/tests/test_a.py'), '/r/tests/test_a.py');
  assert.equal(scopeOf('/r/.github/workflows/ci.yml'), '/r/.github/workflows/ci.yml');
  assert.equal(scopeOf('/r/web/src/a.test.ts'), '/r/web/src/a.test.ts');
  assert.equal(scopeOf('/r/tests/conftest.py'), '/r/tests');
  assert.equal(scopeOf('/r/svc/pytest.ini'), '/r/svc');
  assert.equal(scopeOf('/r/web/jest.config.js'), '/r/web');
  assert.equal(scopeOf('/r/web/package.json'), '/r/web');
  assert.equal(scopeOf('/r/requirements.txt'), '/r');
  assert.equal(scopeOf('/r/requirements/dev.txt'), '/r');
  assert.equal(scopeOf('/r/.netra-migrate.json'), null);
});

test('lineDiff: the changed lines only, and applying the edit gives the new text exactly', () => {
  const cases: [string, string][] = [
    ['[pytest]\r\naddopts = -ra\r\n# keep\r\n', '[pytest]\r\naddopts = -ra --strict-config\r\n# keep\r\n'],
    ['a\nb\nc\n', 'a\nb\nc\nd\n'],
    ['a\nb\nc', 'x\nb\nc'],
    ['same\n', 'same\n'],
    ['', 'new file\n'],
    ['k = "😀"\nz\n', 'k = "😁"\nz\n'],
  ];
  for (const [before, after] of cases) {
    const edit = lineDiff(before, after);
    const doc = TextDocument.create('file:///x', 'plaintext', 0, before);
    assert.equal(TextDocument.applyEdits(doc, [edit]), after, JSON.stringify([before, after]));
    assert.equal(edit.range.start.character, 0, 'starts at a line start');
  }
  assert.deepEqual(lineDiff('[pytest]\r\naddopts = -ra\r\n# keep\r\n', '[pytest]\r\naddopts = -ra -x\r\n# keep\r\n'), {
    range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } },
    newText: 'addopts = -ra -x\r\n',
  });
});
