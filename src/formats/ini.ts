/**
 * An INI reader and editor faithful to iniconfig 2.x, the reader pytest uses for pytest.ini, tox.ini and
 * setup.cfg (`IniConfig(path)`, i.e. without inline-comment stripping). Every physical line is classified
 * with its offsets and its line ending, so edits can splice the original text; values are assembled exactly
 * as iniconfig assembles them, and errors carry iniconfig's messages and line numbers.
 *
 * Deliberate differences from configparser and the npm `ini` package, all iniconfig's: no inline comments
 * (`a = b # c` has the value `b # c`), continuation lines are indented lines, comment lines inside a value
 * are dropped, duplicate names and sections are errors, a BOM is part of line 1 (and so an error).
 */
import { isPyLineBreak, isPySpace, pyRepr, skipSpace, skipSpaceBack } from './python-str.js';

export type IniLineKind = 'blank' | 'comment' | 'section' | 'key' | 'continuation';

export interface IniLine {
  kind: IniLineKind;
  /** 0-based physical line number, as iniconfig counts them. */
  index: number;
  /** Offset of the line's first character. */
  start: number;
  /** Offset just after the line's content (before its line ending). */
  end: number;
  /** Offset just after the line ending. */
  eolEnd: number;
  /** For section lines: the name. For keys: the key. */
  name?: string;
  nameStart?: number;
  nameEnd?: number;
  /** For keys: '=' or ':', and its offset. */
  separator?: '=' | ':';
  separatorOffset?: number;
  /** For keys and continuations: the stripped data and its offsets. Empty data has start === end. */
  dataStart?: number;
  dataEnd?: number;
}

export interface IniEntry {
  section: string;
  name: string;
  /** The value as iniconfig gives it: key data and continuation data joined with "\n". */
  value: string;
  keyLine: IniLine;
  /** Continuation lines that belong to the value (comment and blank lines between them are not listed). */
  continuations: IniLine[];
  /** Where each part of `value` comes from: `value.slice(at, at + length)` is `text.slice(offset, offset + length)`. */
  segments: { at: number; offset: number; length: number }[];
}

export interface IniSection {
  name: string;
  line: IniLine;
  entries: IniEntry[];
}

export interface IniError {
  /** 1-based, as iniconfig prints it. */
  line: number;
  message: string;
}

export interface IniDocument {
  text: string;
  lines: IniLine[];
  sections: IniSection[];
  error: IniError | null;
}

/** Split like Python's universal-newline read followed by `splitlines(True)`. */
function physicalLines(text: string): { start: number; end: number; eolEnd: number }[] {
  const out: { start: number; end: number; eolEnd: number }[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isPyLineBreak(c)) continue;
    const eolEnd = c === 0x0d && text.charCodeAt(i + 1) === 0x0a ? i + 2 : i + 1;
    out.push({ start, end: i, eolEnd });
    start = eolEnd;
    i = eolEnd - 1;
  }
  if (start < text.length) out.push({ start, end: text.length, eolEnd: text.length });
  return out;
}

class ParseFailure extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

function classify(text: string, index: number, start: number, end: number, eolEnd: number): IniLine {
  const base = { index, start, end, eolEnd };
  const first = skipSpace(text, start, end);
  // iniconfig: `line.lstrip()[:1] in "#;"` — true for an empty string too, so blank lines land here.
  if (first === end) return { kind: 'blank', ...base };
  const c0 = text[first];
  if (c0 === '#' || c0 === ';') return { kind: 'comment', ...base };
  const last = skipSpaceBack(text, end, start);
  if (text[start] === '[') {
    // Section: the text before the first '#' and the first ';', right-stripped, must end in ']'.
    let cut = last;
    for (const ch of ['#', ';']) {
      const at = text.indexOf(ch, start);
      if (at >= 0 && at < cut) cut = skipSpaceBack(text, at, start);
    }
    // `[]` gives an empty name, which parseIni reports as iniconfig does.
    if (text[cut - 1] === ']') {
      return { kind: 'section', ...base, name: text.slice(start + 1, cut - 1), nameStart: start + 1, nameEnd: cut - 1 };
    }
    // Not a section: iniconfig treats the stripped line as continuation data.
    return { kind: 'continuation', ...base, dataStart: first, dataEnd: last };
  }
  if (!isPySpace(text.charCodeAt(start))) {
    const line = text.slice(start, last);
    let sep = line.indexOf('=');
    if (sep < 0 || line.slice(0, sep).includes(':')) sep = line.indexOf(':');
    if (sep < 0) throw new ParseFailure(index, `unexpected line: ${pyRepr(line)}`);
    const nameStart = skipSpace(text, start, start + sep);
    const nameEnd = skipSpaceBack(text, start + sep, nameStart);
    const dataStart = skipSpace(text, start + sep + 1, last);
    return {
      kind: 'key',
      ...base,
      name: text.slice(nameStart, nameEnd),
      nameStart,
      nameEnd,
      separator: line[sep] as '=' | ':',
      separatorOffset: start + sep,
      dataStart,
      dataEnd: last,
    };
  }
  return { kind: 'continuation', ...base, dataStart: first, dataEnd: last };
}

export function parseIni(text: string): IniDocument {
  const lines: IniLine[] = [];
  const sections: IniSection[] = [];
  let error: IniError | null = null;
  try {
    // Pass 1 (iniconfig's parse_lines): classify, assemble values; line-level errors stop here.
    const tokens: { line: IniLine; section: string | null; entry?: IniEntry }[] = [];
    let section: string | null = null;
    physicalLines(text).forEach((p, index) => {
      const line = classify(text, index, p.start, p.end, p.eolEnd);
      lines.push(line);
      if (line.kind === 'blank' || line.kind === 'comment') return;
      if (line.kind === 'section') {
        if (!line.name) throw new ParseFailure(index, 'empty section name');
        section = line.name;
        tokens.push({ line, section });
        return;
      }
      if (line.kind === 'key') {
        const value = text.slice(line.dataStart, line.dataEnd);
        const entry: IniEntry = {
          section: section ?? '',
          name: line.name!,
          value,
          keyLine: line,
          continuations: [],
          segments: value ? [{ at: 0, offset: line.dataStart!, length: value.length }] : [],
        };
        tokens.push({ line, section, entry });
        return;
      }
      const last = tokens[tokens.length - 1];
      if (!last?.entry) throw new ParseFailure(index, 'unexpected value continuation');
      const data = text.slice(line.dataStart, line.dataEnd);
      const entry = last.entry;
      const at = entry.value ? entry.value.length + 1 : 0;
      entry.value = entry.value ? `${entry.value}\n${data}` : data;
      entry.segments.push({ at, offset: line.dataStart!, length: data.length });
      entry.continuations.push(line);
    });
    // Pass 2 (iniconfig's parse_ini_data): sections and names.
    const byName = new Map<string, IniSection>();
    for (const token of tokens) {
      if (token.section === null) throw new ParseFailure(token.line.index, 'no section header defined');
      if (!token.entry) {
        if (byName.has(token.section)) throw new ParseFailure(token.line.index, `duplicate section ${pyRepr(token.section)}`);
        const s: IniSection = { name: token.section, line: token.line, entries: [] };
        byName.set(token.section, s);
        sections.push(s);
        continue;
      }
      const s = byName.get(token.section)!;
      if (s.entries.some((e) => e.name === token.entry!.name)) {
        throw new ParseFailure(token.line.index, `duplicate name ${pyRepr(token.entry.name)}`);
      }
      s.entries.push(token.entry);
    }
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    error = { line: e.index + 1, message: e.message };
    sections.length = 0;
  }
  return { text, lines, sections, error };
}

/** Map an offset inside an entry's joined value back to the file. */
export function valueOffsetToFile(entry: IniEntry, at: number): number {
  // Segments are in value order: a binary search keeps mapping every item of a long value linear overall
  // (a scan per item made 20,000 continuation lines quadratic).
  const segs = entry.segments;
  if (segs.length === 0) return entry.keyLine.dataStart!;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segs[mid]!.at <= at) lo = mid;
    else hi = mid - 1;
  }
  const best = segs[lo]!;
  return best.offset + Math.min(at - best.at, best.length);
}

export function entryEnd(entry: IniEntry): number {
  const last = entry.continuations[entry.continuations.length - 1] ?? entry.keyLine;
  return last.end;
}

/** Where an entry's value ends: the end of its last continuation line's data, else of its key line's. */
export function iniValueEnd(entry: IniEntry): number {
  const last = entry.continuations[entry.continuations.length - 1];
  return last ? last.dataEnd! : entry.keyLine.dataEnd!;
}
