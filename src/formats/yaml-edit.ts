/** Helpers for lossless YAML edits: where a block node's lines end, and the indentation they use. */
import { eolOfLine } from '../core/text.js';

/** The text between the start of the line holding `offset` and `offset`. */
export function lineIndent(text: string, offset: number): string {
  let s = offset;
  while (s > 0 && text[s - 1] !== '\n') s--;
  return text.slice(s, offset);
}

/**
 * Where new lines go after a block node that ends at `end`, the line break to put first if any, and the
 * ending the new lines take: that of the line they follow (a file of mixed endings keeps every line as it was).
 */
export function linesAfter(text: string, end: number): { at: number; lead: string; eol: string } {
  if (text[end - 1] === '\n') return { at: end, lead: '', eol: eolOfLine(text, text.startsWith('\r\n', end - 2) ? end - 2 : end - 1) };
  const eol = eolOfLine(text, end);
  return { at: end, lead: eol, eol };
}

/** Range of a yaml node or pair (its key's start, its value's end), as the `yaml` package records them. */
export interface Ranged {
  range?: [number, number, number] | null;
  key?: Ranged | null;
  value?: Ranged | null;
}

export function startOf(item: Ranged | undefined): number | undefined {
  return item?.range?.[0] ?? item?.key?.range?.[0] ?? undefined;
}

export function endOf(item: Ranged | undefined): number | undefined {
  return item?.range?.[2] ?? item?.value?.range?.[2] ?? item?.key?.range?.[2] ?? undefined;
}

/**
 * Add `name: "value"` entries to the block map under `key` of `owner` (a block map), in its own style: to
 * an existing map after its last entry, to an existing `- NAME=value` list as items, or as a new `key:`
 * block after the owner's last entry. Null for flow style, which would need re-printing.
 */
export function addEntries(
  text: string,
  ownerNode: { items: readonly unknown[]; flow?: boolean },
  existingNode: { items: readonly unknown[]; flow?: boolean } | null,
  key: string,
  entries: readonly (readonly [string, string])[],
): { at: number; text: string } | null {
  const owner = ownerNode as { items: Ranged[]; flow?: boolean };
  const existing = existingNode as { items: Ranged[]; flow?: boolean } | null;
  if (owner.flow || existing?.flow) return null;
  if (existing && existing.items.length > 0) {
    const first = existing.items[0]!;
    const start = startOf(first);
    const end = endOf(existing.items[existing.items.length - 1]);
    if (start === undefined || end === undefined) return null;
    const isSeq = !first.key;
    const indent = lineIndent(text, start).replace(/- ?$/, '');
    const { at, lead, eol } = linesAfter(text, end);
    return { at, text: lead + entries.map(([k, v]) => (isSeq ? `${indent}- ${k}=${v}` : `${indent}${k}: "${v}"`)).join(eol) + eol };
  }
  const firstKey = startOf(owner.items[0]);
  const end = endOf(owner.items[owner.items.length - 1]);
  if (firstKey === undefined || end === undefined) return null;
  const indent = lineIndent(text, firstKey).replace(/- ?$/, (m) => ' '.repeat(m.length));
  const unit = '  ';
  const { at, lead, eol } = linesAfter(text, end);
  return { at, text: lead + [`${indent}${key}:`, ...entries.map(([k, v]) => `${indent}${unit}${k}: "${v}"`)].join(eol) + eol };
}
