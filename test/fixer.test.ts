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

/** The acceptance rule stated plainly (each fix against every accepted edit), for the differential test below. */
function acceptedPlainly(fixes: readonly Fix[]): { applied: Fix[]; deferred: Fix[] } {
  const overlaps = (a: Fix['edits'][number], b: Fix['edits'][number], touching: boolean) =>
    a.file === b.file && (touching ? a.start <= b.end && b.start <= a.end : a.start < b.end && b.start < a.end);
  const first = (f: Fix) => Math.min(...f.edits.map((e) => e.start));
  const applied: Fix[] = [];
  const deferred: Fix[] = [];
  const taken: Fix['edits'] = [];
  for (const fix of [...fixes].sort((a, b) => first(a) - first(b))) {
    const clash = fix.edits.some((e) => taken.some((t) => overlaps(e, t, true)) || fix.edits.some((o) => o !== e && overlaps(o, e, false)));
    if (clash) deferred.push(fix);
    else {
      applied.push(fix);
      taken.push(...fix.edits);
    }
  }
  return { applied, deferred };
}

test('accepting fixes by position agrees with checking each against every accepted edit (random fixes)', () => {
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const text = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let deferredSeen = 0;
  for (let round = 0; round < 400; round++) {
    const fixes: Fix[] = Array.from({ length: 1 + rnd(12) }, (_, i) => ({
      title: `fix ${i}`,
      applicability: 'safe',
      edits: Array.from({ length: 1 + rnd(3) }, () => {
        const start = rnd(text.length);
        // Insertions (empty ranges), short and long replacements, over two files.
        const end = Math.min(text.length, start + [0, 0, 1, 2, 5][rnd(5)]!);
        return { file: rnd(3) === 0 ? 'g' : 'f', start, end, text: `<${i}>` };
      }),
    }));
    const expected = acceptedPlainly(fixes);
    const got = applyFixes(fixes, () => text);
    assert.deepEqual(got.applied, expected.applied, `round ${round}`);
    assert.deepEqual(got.deferred, expected.deferred, `round ${round}`);
    deferredSeen += got.deferred.length;
  }
  // The random fixes do clash: the test exercises deferral, not just acceptance.
  assert.ok(deferredSeen > 100, `${deferredSeen} deferred`);
});

/** The splice rule stated plainly: edit by edit from the last position (ties: later end, later listed first). */
function splicedPlainly(text: string, edits: readonly Fix['edits'][number][]): string {
  let out = text;
  const ordered = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.start - a.e.start || b.e.end - a.e.end || b.i - a.i);
  for (const { e } of ordered) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

test('splicing in one assembly agrees with splicing edit by edit from the end (random edits, ties and overlaps)', () => {
  let seed = 777;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * n); // the high bits: the low ones of this generator cycle quickly
  };
  const text = 'abcdefghijklmnopqrstuvwxyz\r\n0123456789\u00e9\ud83d\ude00';
  let sameStart = 0;
  let overlapping = 0;
  for (let round = 0; round < 2000; round++) {
    const edits = Array.from({ length: 1 + rnd(8) }, (_, i) => {
      // Few distinct starts, so insertions and replacements often share one; rounds with overlaps too.
      const start = rnd(6) * rnd(8);
      const end = Math.min(text.length, start + [0, 0, 1, 3][rnd(4)]!);
      return { file: 'f', start, end, text: `<${i}>` };
    });
    const starts = edits.map((e) => e.start);
    if (new Set(starts).size < starts.length) sameStart++;
    if (edits.some((a) => edits.some((b) => a !== b && a.start < b.end && b.start < a.end))) overlapping++;
    assert.equal(spliceEdits(text, edits), splicedPlainly(text, edits), `round ${round}: ${JSON.stringify(edits)}`);
  }
  assert.ok(sameStart > 500 && overlapping > 200, `${sameStart} with a shared start, ${overlapping} overlapping`);
});
