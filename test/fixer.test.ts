import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFixes, spliceEdits } from '../src/core/fixer.js';
import type { Fix } from '../src/core/diagnostic.js';

const fixOf = (start: number, end: number, text: string, file = 'f'): Fix => ({
  title: text,
  applicability: 'safe',
  edits: [{ file, start, end, text }],
});

test('edits splice from the end so offsets stay valid', () => {
  assert.equal(
    spliceEdits('abcdef', [
      { file: 'f', start: 1, end: 2, text: 'X' },
      { file: 'f', start: 4, end: 6, text: '' },
    ]),
    'aXcd',
  );
});

test('a fix that overlaps or touches an accepted one waits for the next pass', () => {
  const text = '[a, b]';
  const deleteB = fixOf(2, 5, ''); // ", b"
  const insertAfterB = fixOf(5, 5, ', c');
  const far = fixOf(0, 0, '#');
  const { texts, applied, deferred } = applyFixes([insertAfterB, deleteB, far], () => text);
  assert.deepEqual(applied, [far, deleteB]);
  assert.deepEqual(deferred, [insertAfterB]);
  assert.equal(texts.get('f'), '#[a]');
});

test('a fix spanning two files is taken whole or not at all', () => {
  const both: Fix = {
    title: 'both',
    applicability: 'safe',
    edits: [
      { file: 'a', start: 0, end: 1, text: 'A' },
      { file: 'b', start: 0, end: 1, text: 'B' },
    ],
  };
  const clash = fixOf(0, 1, 'Z', 'b');
  const { texts, deferred } = applyFixes([clash, both], () => 'x');
  assert.deepEqual(deferred, [both]);
  assert.equal(texts.get('b'), 'Z');
  assert.equal(texts.has('a'), false);
});

test("one fix's insertions at one point land in the order the fix lists them", () => {
  const fix: Fix = {
    title: 'two inserts',
    applicability: 'safe',
    edits: [
      { file: 'f', start: 3, end: 3, text: ' -p mod' },
      { file: 'f', start: 3, end: 3, text: '\nkey = 1' },
      { file: 'f', start: 0, end: 3, text: 'A=B' },
    ],
  };
  const { texts, applied } = applyFixes([fix], () => 'a=b');
  assert.deepEqual(applied, [fix]);
  assert.equal(texts.get('f'), 'A=B -p mod\nkey = 1');
});
