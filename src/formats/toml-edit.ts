/**
 * Lossless TOML edits beside the reader (toml.ts): keys into an inline table, items removed from or added
 * to an array in its own layout (one item a line, several a line, or inline), words added to a string.
 * Nothing is re-serialized; only a string whose characters do not map one to one is rewritten whole.
 */
import type { Edit } from '../core/diagnostic.js';
import { afterEol, eolOfLine, lineEndAt, lineStartAt } from '../core/text.js';
import { tomlString, type TomlArray, type TomlContent } from './toml.js';

/** `key = value` pairs inside an inline table: after its last pair at `at`, or between the braces of an empty one (`at` just after `{`). */
export function insertInlineKeys(
  file: string,
  text: string,
  at: number,
  prefix: string,
  pairs: readonly (readonly [string, string])[],
  empty: boolean,
): Edit {
  const body = pairs.map(([key, value]) => `${prefix}${key} = ${value}`).join(', ');
  if (!empty) return { file, start: at, end: at, text: `, ${body}` };
  // `{}` or `{ }`: the keys go between the braces.
  let end = at;
  while (text[end] === ' ' || text[end] === '\t') end++;
  return { file, start: at, end, text: ` ${body} ` };
}

const isBlank = (s: string) => /^[ \t]*$/.test(s);

/** Remove the array's items at the given indexes; items alone on their lines take the lines (with trailing commas and comments). */
export function removeArrayItems(file: string, text: string, array: TomlArray, remove: ReadonlySet<number>): Edit[] {
  const edits: Edit[] = [];
  const els = array.elements;
  let i = 0;
  while (i < els.length) {
    if (!remove.has(i)) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < els.length && remove.has(j + 1)) j++;
    const first = els[i]!;
    const last = els[j]!;
    const next = els[j + 1];
    const prev = els[i - 1];
    const firstLineStart = lineStartAt(text, first.range[0]);
    const ownLines =
      isBlank(text.slice(firstLineStart, first.range[0])) &&
      (!next || lineStartAt(text, next.range[0]) > last.range[1]) &&
      (!prev || lineStartAt(text, first.range[0]) > prev.range[1]);
    if (ownLines) {
      // Multi-line array: drop the run's lines, with their trailing commas and comments.
      const end = lineEndAt(text, last.range[1]);
      edits.push({ file, start: firstLineStart, end: afterEol(text, end), text: '' });
    } else if (next) {
      edits.push({ file, start: first.range[0], end: next.range[0], text: '' });
    } else if (prev) {
      edits.push({ file, start: prev.range[1], end: last.range[1], text: '' });
    } else {
      edits.push({ file, start: first.range[0], end: last.range[1], text: '' });
    }
    i = j + 1;
  }
  return edits;
}

/** Add string items at the end of an array in one edit, in the array's own layout. */
export function appendArrayItems(file: string, text: string, array: TomlArray, values: readonly string[]): Edit {
  const els = array.elements;
  const last = els[els.length - 1];
  if (!last) return { file, start: array.range[0] + 1, end: array.range[1] - 1, text: values.map(tomlString).join(', ') };
  const closeLineStart = lineStartAt(text, array.range[1] - 1);
  const multiline = closeLineStart > last.range[1];
  if (multiline) {
    const lastLineStart = lineStartAt(text, last.range[0]);
    // Only the leading whitespace: a line may hold several items (`"-p", "anyio",`).
    const indent = /^[ \t]*/.exec(text.slice(lastLineStart, last.range[0]))![0];
    const afterLast = text.slice(last.range[1], lineEndAt(text, last.range[1]));
    const hasComma = afterLast.trimStart().startsWith(',');
    const eol = eolOfLine(text, last.range[1]);
    // Items laid out several to a line (`"-p", "anyio",`) get the new ones together on one line (a flag
    // beside its value); items one to a line get one line each.
    const shared = els.length > 1 && lineStartAt(text, els[els.length - 2]!.range[0]) === lastLineStart;
    const lines = shared ? [`${eol}${indent}${values.map(tomlString).join(', ')}`] : values.map((v) => `${eol}${indent}${tomlString(v)}`);
    if (hasComma)
      return {
        file,
        start: lineEndAt(text, last.range[1]),
        end: lineEndAt(text, last.range[1]),
        text: lines.map((l) => `${l},`).join(''),
      };
    return { file, start: last.range[1], end: last.range[1], text: `,${lines.join(',')}` };
  }
  return { file, start: last.range[1], end: last.range[1], text: values.map((v) => `, ${tomlString(v)}`).join('') };
}

/**
 * Add words (already quoted for a shell) at the end of a string value: inside the quotes after its last
 * word when the string's characters map one to one (`lastWordEnd`), else the string rewritten whole from
 * its value `current`.
 */
export function appendToString(file: string, node: TomlContent, current: string, lastWordEnd: number | undefined, words: string): Edit {
  if (lastWordEnd !== undefined) return { file, start: lastWordEnd, end: lastWordEnd, text: ` ${words}` };
  return { file, start: node.range[0], end: node.range[1], text: tomlString(current ? `${current} ${words}` : words) };
}
