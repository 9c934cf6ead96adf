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
  const sorted = [...fixes].sort((a, b) => firstEdit(a) - firstEdit(b));
  const accepted: Fix[] = [];
  const deferred: Fix[] = [];
  const taken: Edit[] = [];
  for (const fix of sorted) {
    if (fix.edits.some((e) => taken.some((t) => overlaps(e, t, true)) || fix.edits.some((o) => o !== e && overlaps(o, e, false)))) {
      deferred.push(fix);
      continue;
    }
    accepted.push(fix);
    taken.push(...fix.edits);
  }
  const byFile = new Map<string, Edit[]>();
  for (const edit of taken) {
    const list = byFile.get(edit.file) ?? [];
    list.push(edit);
    byFile.set(edit.file, list);
  }
  const texts = new Map<string, string>();
  for (const [file, edits] of byFile) texts.set(file, spliceEdits(read(file), edits));
  return { texts, applied: accepted, deferred };
}

/**
 * Apply non-overlapping edits to one text, from the end so earlier offsets stay valid. Insertions at one
 * point (only one fix can make them: across fixes they conflict) land in the order the fix lists them.
 */
export function spliceEdits(text: string, edits: readonly Edit[]): string {
  const ordered = edits
    .map((e, i) => ({ e, i }))
    .sort((a, b) => b.e.start - a.e.start || b.e.end - a.e.end || b.i - a.i)
    .map(({ e }) => e);
  let out = text;
  for (const e of ordered) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

function firstEdit(fix: Fix): number {
  return Math.min(...fix.edits.map((e) => e.start));
}

export const MAX_FIX_PASSES = 10;
