/**
 * A TOML text is read once while it is in use: a run reads one pyproject.toml as pytest config, for its
 * dependencies and for CI sites, and each fix pass again while it is unchanged (a 9 MB file took seconds
 * per read). The document is shared, so it must be the same reading of the same text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseToml } from '../src/formats/toml.js';

test('the same text gives the same document, a changed text a new one; errors are remembered too', () => {
  const text = '[tool.pytest.ini_options]\ntestpaths = ["tests"]  # kept\n';
  const first = parseToml(text);
  assert.ok(first.ast);
  assert.equal(parseToml(`${text}`), first);
  const changed = parseToml(text.replace('tests', 'suite'));
  assert.notEqual(changed, first);
  assert.equal(changed.text.includes('suite'), true);
  const broken = parseToml('a = \n');
  assert.equal(broken.ast, null);
  assert.deepEqual(broken.error && [broken.error.line, broken.error.column], [2, 1]);
  assert.equal(parseToml('a = \n'), broken);
});

test('only a few documents are kept: after four other texts the first is read again', () => {
  const text = 'x = 1\n';
  const first = parseToml(text);
  for (let i = 0; i < 4; i++) parseToml(`y = ${i}\n`);
  const again = parseToml(text);
  assert.notEqual(again, first);
  assert.deepEqual(again.ast?.body[0]?.body.length, first.ast?.body[0]?.body.length);
});
