import type { Edit, Fix } from './diagnostic.js';

export interface AppliedFixes {
  /** New text of every file an applied fix touched. */
  texts: Map<string, string>;
  applied: Fix[];
  /** Fixes that overlapped an applied one: they wait for the next pass. */
  deferred: Fix[];
}

/**
 * Across fixes, edits that merely touch conflict too (ESLint's rule): an insertion right after a deleted
 * item was written for a text where that item still stands. Within one fix, edits were made together and
 * only a true overlap is a conflict.
 */
function overlaps(a: Edit, b: Edit, touching: boolean): boolean {
  if (a.file !== b.file) return false;
  if (touching) return a.start <= b.end && b.start <= a.end;
  return a.start < b.end && b.start < a.end;
}

/**
 * ESLint's discipline: fixes are taken in order of their first edit; a fix whose edits overlap an accepted
 * one waits for the next pass (its ranges refer to the text before this pass). A fix is accepted whole or
 * not at all, even when it spans several files.
 */
export function applyFixes(fixes: readonly Fix[], read: (file: string) => string): AppliedFixes {
  const sorted = fixes.map((fix, i) => ({ fix, first: firstEdit(fix), i })).sort((a, b) => a.first - b.first || a.i - b.i);
  const accepted: Fix[] = [];
  const deferred: Fix[] = [];
  const taken = new TakenEdits();
  for (const { fix } of sorted) {
    if (fix.edits.some((e) => taken.touches(e) || fix.edits.some((o) => o !== e && overlaps(o, e, false)))) {
      deferred.push(fix);
      continue;
    }
    accepted.push(fix);
    for (const e of fix.edits) taken.add(e);
  }
  const texts = new Map<string, string>();
  for (const [file, edits] of taken.byFile) texts.set(file, spliceEdits(read(file), edits));
  return { texts, applied: accepted, deferred };
}

/**
 * The edits of the fixes accepted so far, per file in order of position: no two overlap (at most they
 * touch, within one fix), so their ends ascend with their starts and one binary search finds the only
 * edit that can touch a new one. Checking each fix against every accepted edit would make a pass over
 * 20,000 files quadratic.
 */
class TakenEdits {
  /** In the order they were accepted (spliceEdits lists insertions at one point in that order). */
  readonly byFile = new Map<string, Edit[]>();
  private readonly ordered = new Map<string, Edit[]>();

  touches(e: Edit): boolean {
    const list = this.ordered.get(e.file);
    if (!list) return false;
    // The first edit ending at or after e's start; it touches e if it starts at or before e's end.
    const t = list[this.firstEndingFrom(list, e.start)];
    return t !== undefined && overlaps(e, t, true);
  }

  add(e: Edit): void {
    let inOrder = this.byFile.get(e.file);
    let list = this.ordered.get(e.file);
    if (!inOrder || !list) {
      this.byFile.set(e.file, (inOrder = []));
      this.ordered.set(e.file, (list = []));
    }
    inOrder.push(e);
    // By start, then end: for edits that do not overlap, that puts their ends in ascending order too.
    list.splice(
      firstIndex(list, (t) => t.start > e.start || (t.start === e.start && t.end > e.end)),
      0,
      e,
    );
  }

  private firstEndingFrom(list: readonly Edit[], at: number): number {
    return firstIndex(list, (t) => t.end >= at);
  }
}

/** The first index whose edit satisfies `after` (false for a prefix of the list, true for the rest). */
function firstIndex(list: readonly Edit[], after: (t: Edit) => boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (after(list[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Apply non-overlapping edits to one text. Insertions at one point (only one fix can make them: across fixes
 * they conflict) land in the order the fix lists them; at one point an insertion goes before a replacement
 * that starts there. The text is assembled once, from its pieces in order of position: splicing edit by edit
 * would copy the whole text per edit (thousands of edits in one large module made that quadratic).
 */
export function spliceEdits(text: string, edits: readonly Edit[]): string {
  const ordered = edits
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.start - b.e.start || a.e.end - b.e.end || a.i - b.i)
    .map(({ e }) => e);
  const pieces: string[] = [];
  let at = 0;
  for (const e of ordered) {
    // Overlapping edits (never made by applyFixes) keep the meaning of applying them one by one from the end.
    if (e.start < at) return spliceFromEnd(text, ordered);
    pieces.push(text.slice(at, e.start), e.text);
    at = e.end;
  }
  pieces.push(text.slice(at));
  return pieces.join('');
}

/** Edit by edit from the last one (`ordered` ascending): each splice copies the text, so only for overlaps. */
function spliceFromEnd(text: string, ordered: readonly Edit[]): string {
  let out = text;
  for (let k = ordered.length - 1; k >= 0; k--) {
    const e = ordered[k]!;
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  }
  return out;
}

function firstEdit(fix: Fix): number {
  return Math.min(...fix.edits.map((e) => e.start));
}

export const MAX_FIX_PASSES = 10;
