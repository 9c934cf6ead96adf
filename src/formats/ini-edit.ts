/**
 * Lossless INI edits beside the reader (ini.ts), in the file's own style: its `key = value` spacing, its
 * indentation of continuation lines, its line ending. A value is rewritten whole only when it has no finer
 * structure; words are added as the value's own continuation lines or at the end of its key line.
 */
import type { Edit } from '../core/diagnostic.js';
import { eolOfLine, lineStartAt } from '../core/text.js';
import { iniValueEnd, type IniEntry } from './ini.js';
import { keySeparator, removeWords } from './line-edit.js';

/** The text between key and value the file already uses (`" = "`, `"="`, `": "`), from the first key that shows it. */
export function iniSeparator(text: string, entries: readonly IniEntry[]): string {
  for (const e of entries) {
    const line = e.keyLine;
    // `key =` with no data shows no spacing after the separator.
    if (line.dataStart! > line.separatorOffset! + 1 || line.dataStart !== line.dataEnd)
      return keySeparator(text, line.nameEnd!, line.dataStart!);
  }
  return ' = ';
}

/** Replace an entry's whole value; `key =` with no data gets one space after the separator. */
export function replaceIniValue(file: string, entry: IniEntry, rendered: string): Edit {
  const line = entry.keyLine;
  const start = line.dataStart!;
  const end = iniValueEnd(entry);
  const pad = start === end && line.dataStart === line.separatorOffset! + 1 ? ' ' : '';
  return { file, start, end, text: pad + rendered };
}

/** Add words at the end of a value: as a new continuation line in the last one's indentation, else on the key line. */
export function appendIniWords(file: string, text: string, entry: IniEntry, words: string): Edit {
  const lastCont = entry.continuations[entry.continuations.length - 1];
  if (lastCont) {
    const indent = text.slice(lastCont.start, lastCont.dataStart);
    return { file, start: lastCont.end, end: lastCont.end, text: `${eolOfLine(text, lastCont.end)}${indent}${words}` };
  }
  const end = iniValueEnd(entry);
  if (entry.keyLine.dataStart === end) return replaceIniValue(file, entry, words);
  return { file, start: end, end, text: ` ${words}` };
}

/** Remove words (offsets in the file) of an entry's value; a continuation line left without words goes. */
export function removeIniWords(
  file: string,
  text: string,
  entry: IniEntry,
  words: readonly { start: number; end: number }[],
  remove: ReadonlySet<number>,
): Edit[] {
  return removeWords(file, text, words, remove, {
    keyLineStart: lineStartAt(text, entry.keyLine.nameStart!),
    dropEmptiedLines: true,
    floor: entry.keyLine.separatorOffset! + 1,
  });
}
