/**
 * Lossless edits shared by the line-oriented `key = value` formats (INI and TOML): new key lines after an
 * offset, a new section at the end of the file, and the removal of words (shell words, lines) inside one
 * value. Every edit is a `{start, end, text}` splice in the file's own separator style; inserted lines take the
 * ending of the line they follow (a file of mixed endings keeps every existing line byte for byte).
 */
import type { Edit } from '../core/diagnostic.js';
import { afterEol, eolOfLine, lineEndAt, lineStartAt } from '../core/text.js';

/** The separator a key line is written with (`" = "`, `"="`, `": "`): the text between its key and value, else `" = "`. */
export function keySeparator(text: string, keyEnd: number, valueStart: number): string {
  return text.slice(keyEnd, valueStart) || ' = ';
}

/** `key = value` lines inserted after `at` (the end of a line), each key written after `prefix` (`ini_options.`). */
export function insertKeyLines(
  file: string,
  text: string,
  at: number,
  prefix: string,
  pairs: readonly (readonly [string, string])[],
  separator: string,
): Edit {
  const eol = eolOfLine(text, at);
  return { file, start: at, end: at, text: pairs.map(([key, value]) => `${eol}${prefix}${key}${separator}${value}`).join('') };
}

/** A new section (`header` as written, `[pytest]`) with its key lines, at the end of the file after one blank line. */
export function appendSection(
  file: string,
  text: string,
  header: string,
  pairs: readonly (readonly [string, string])[],
  separator: string,
): Edit {
  const eol = eolOfLine(text, text.length);
  const lead = text.length === 0 || /[\r\n]$/.test(text) ? '' : eol;
  const gap = text.trim().length > 0 ? eol : '';
  const lines = pairs.map(([key, value]) => `${key}${separator}${value}`);
  return { file, start: text.length, end: text.length, text: `${lead}${gap}${header}${eol}${lines.join(eol)}${eol}` };
}

export interface WordsValue {
  /** Start of the line the key is on: the words there are never removed with their line. */
  keyLineStart: number;
  /** A line of the value other than the key's that loses all its words goes (INI continuation lines). */
  dropEmptiedLines: boolean;
  /** Removal never reaches before this offset (just after an INI separator). */
  floor: number;
}

/**
 * Remove some words of a value (shell words, lines), keeping every other word, comment and line as it was.
 * Words are grouped by physical line; a removed word takes the separator next to it.
 */
export function removeWords(
  file: string,
  text: string,
  words: readonly { start: number; end: number }[],
  remove: ReadonlySet<number>,
  value: WordsValue,
): Edit[] {
  const edits: Edit[] = [];
  const byLine = new Map<number, number[]>();
  words.forEach((word, index) => {
    const ls = lineStartAt(text, word.start);
    byLine.set(ls, [...(byLine.get(ls) ?? []), index]);
  });
  for (const [lineStart, indexes] of byLine) {
    const gone = indexes.filter((k) => remove.has(k));
    if (gone.length === 0) continue;
    const lineEnd = lineEndAt(text, lineStart);
    if (gone.length === indexes.length && lineStart !== value.keyLineStart && value.dropEmptiedLines) {
      // A continuation line that holds only removed words: the line goes.
      edits.push({ file, start: lineStart, end: afterEol(text, lineEnd), text: '' });
      continue;
    }
    for (const k of gone) {
      const word = words[k]!;
      const position = indexes.indexOf(k);
      const prevWord = position > 0 ? words[indexes[position - 1]!] : undefined;
      const nextWord = position + 1 < indexes.length ? words[indexes[position + 1]!] : undefined;
      if (prevWord && !remove.has(indexes[position - 1]!)) {
        edits.push({ file, start: prevWord.end, end: word.end, text: '' });
      } else if (nextWord) {
        edits.push({ file, start: word.start, end: nextWord.start, text: '' });
      } else if (prevWord) {
        // The previous word goes too; starting at its end makes the two deletions one.
        edits.push({ file, start: prevWord.end, end: word.end, text: '' });
      } else {
        // The only word on the key line: remove it with the space before it.
        let s = word.start;
        while (s > lineStart && (text[s - 1] === ' ' || text[s - 1] === '\t')) s--;
        edits.push({ file, start: Math.max(s, value.floor), end: word.end, text: '' });
      }
    }
  }
  return mergeTouching(edits);
}

/** Deletions that touch become one, so the fixer does not see two edits sharing a boundary as a conflict. */
function mergeTouching(edits: Edit[]): Edit[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const out: Edit[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && last.text === '' && e.text === '' && e.start <= last.end) last.end = Math.max(last.end, e.end);
    else out.push({ ...e });
  }
  return out;
}
