/**
 * Edits on a pytest config as `{start, end, text}` splices of the original text, in the file's own style:
 * its line ending, its `key = value` spacing, its indentation of continuation lines and array items.
 * Nothing here re-serializes a file; a value is only ever rewritten whole when it has no finer structure.
 */
import type { Edit } from '../../core/diagnostic.js';
import { detectEol } from '../../core/text.js';
import { shlexQuote } from '../../formats/shlex.js';
import { renderToml, tomlString } from '../../formats/toml.js';
import { lineEndAt, type ConfigEntry, type ConfigItem, type PytestConfig } from './config.js';
import type { PytestIniType } from './schema-types.js';

function lineStartAt(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

function afterEol(text: string, lineEnd: number): number {
  if (text.startsWith('\r\n', lineEnd)) return lineEnd + 2;
  return lineEnd < text.length ? lineEnd + 1 : lineEnd;
}

const isBlank = (s: string) => /^[ \t]*$/.test(s);

/** Render a value for a new or replaced entry, as the file's format and pytest's mode want it. */
export function renderValue(config: PytestConfig, type: PytestIniType, value: string | boolean | string[]): string {
  if (config.format === 'ini') {
    if (Array.isArray(value)) return value.map(shlexQuote).join(' ');
    return String(value);
  }
  if (config.mode === 'toml') {
    if (type === 'args' || type === 'linelist' || type === 'paths' || type === 'pathlist') {
      return renderToml(Array.isArray(value) ? value : [String(value)]);
    }
    if (type === 'bool') return String(value === true || value === 'true');
    return renderToml(Array.isArray(value) ? value.join(' ') : String(value));
  }
  // ini_options: strings, or lists of strings for list types.
  if (Array.isArray(value)) return renderToml(value);
  return tomlString(typeof value === 'boolean' ? String(value) : value);
}

/**
 * Fixes whose edit would create a pytest section in a file that must first rename the one it has (see
 * `InsertSite`). The pytest runner withholds such fixes (the finding stays, without a fix), so a pass never
 * holds both a rename and a new section of the same name, and the next pass writes into the renamed one.
 */
const waitingEdits = new WeakSet<Edit>();

export function waitsForSection(edit: Edit): boolean {
  return waitingEdits.has(edit);
}

/**
 * Insert `key = value` entries where the config's new keys go (`config.insertSite`): after the last entry
 * (written with the same dotted prefix, `ini_options.timeout`, or inside the same inline table), after the
 * header, or in a new section. Several keys go in one edit, in the order given.
 */
export function insertEntries(config: PytestConfig, pairs: readonly (readonly [string, string])[]): Edit {
  const eol = detectEol(config.text);
  const sep = separatorStyle(config);
  const site = config.insertSite;
  const text = config.text;
  switch (site.kind) {
    case 'lines':
      return {
        file: config.file,
        start: site.at,
        end: site.at,
        text: pairs.map(([key, value]) => `${eol}${site.prefix}${key}${sep}${value}`).join(''),
      };
    case 'inline': {
      const body = pairs.map(([key, value]) => `${site.prefix}${key} = ${value}`).join(', ');
      if (!site.empty) return { file: config.file, start: site.at, end: site.at, text: `, ${body}` };
      // `{}` or `{ }`: the keys go between the braces.
      let end = site.at;
      while (text[end] === ' ' || text[end] === '\t') end++;
      return { file: config.file, start: site.at, end, text: ` ${body} ` };
    }
    case 'new-section': {
      const lead = text.length === 0 || /[\r\n]$/.test(text) ? '' : eol;
      const gap = text.trim().length > 0 ? eol : '';
      const lines = pairs.map(([key, value]) => `${key}${sep}${value}`);
      return { file: config.file, start: text.length, end: text.length, text: `${lead}${gap}${site.header}${eol}${lines.join(eol)}${eol}` };
    }
    case 'waiting': {
      const edit = { file: config.file, start: text.length, end: text.length, text: '' };
      waitingEdits.add(edit);
      return edit;
    }
  }
}

export function insertEntry(config: PytestConfig, key: string, renderedValue: string): Edit {
  return insertEntries(config, [[key, renderedValue]]);
}

/** The text between key and value the file already uses (`" = "`, `"="`, `": "`). */
function separatorStyle(config: PytestConfig): string {
  if (config.format === 'toml') {
    const e = config.entries.find((entry) => !entry.inline);
    if (e) return config.text.slice(e.keyEnd, e.valueStart) || ' = ';
    return ' = ';
  }
  for (const e of config.entries) {
    const line = e.ini!.keyLine;
    if (line.dataStart! > line.separatorOffset! + 1 || line.dataStart !== line.dataEnd) {
      return config.text.slice(line.nameEnd, line.dataStart) || ' = ';
    }
  }
  return ' = ';
}

/** Replace an entry's whole value (only for values without inner structure worth keeping). */
export function replaceValue(config: PytestConfig, entry: ConfigEntry, renderedValue: string): Edit {
  if (entry.ini && entry.valueStart === entry.valueEnd) {
    // `key =` with no data: put one space after the separator if there is none.
    const line = entry.ini.keyLine;
    const pad = line.dataStart === line.separatorOffset! + 1 ? ' ' : '';
    return { file: config.file, start: entry.valueStart, end: entry.valueEnd, text: pad + renderedValue };
  }
  return { file: config.file, start: entry.valueStart, end: entry.valueEnd, text: renderedValue };
}

/**
 * Remove some items of a list value, keeping every other item, comment and line as it was. Items that are
 * alone on their line take the line with them; others take the separator next to them.
 */
export function removeItems(config: PytestConfig, entry: ConfigEntry, items: readonly ConfigItem[], remove: ReadonlySet<number>): Edit[] {
  const text = config.text;
  const edits: Edit[] = [];
  if (entry.toml?.type === 'TOMLArray') {
    const els = entry.toml.elements;
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
        edits.push({ file: config.file, start: firstLineStart, end: afterEol(text, end), text: '' });
      } else if (next) {
        edits.push({ file: config.file, start: first.range[0], end: next.range[0], text: '' });
      } else if (prev) {
        edits.push({ file: config.file, start: prev.range[1], end: last.range[1], text: '' });
      } else {
        edits.push({ file: config.file, start: first.range[0], end: last.range[1], text: '' });
      }
      i = j + 1;
    }
    return edits;
  }
  // Shell words or lines inside an INI value or a TOML string: group by physical line.
  const byLine = new Map<number, number[]>();
  items.forEach((item, index) => {
    const ls = lineStartAt(text, item.start);
    byLine.set(ls, [...(byLine.get(ls) ?? []), index]);
  });
  const keyLineStart = lineStartAt(text, entry.keyStart);
  for (const [lineStart, indexes] of byLine) {
    const gone = indexes.filter((k) => remove.has(k));
    if (gone.length === 0) continue;
    const lineEnd = lineEndAt(text, lineStart);
    if (gone.length === indexes.length && lineStart !== keyLineStart && entry.ini) {
      // A continuation line that holds only removed items: the line goes.
      edits.push({ file: config.file, start: lineStart, end: afterEol(text, lineEnd), text: '' });
      continue;
    }
    for (const k of gone) {
      const item = items[k]!;
      const position = indexes.indexOf(k);
      const prevItem = position > 0 ? items[indexes[position - 1]!] : undefined;
      const nextItem = position + 1 < indexes.length ? items[indexes[position + 1]!] : undefined;
      if (prevItem && !remove.has(indexes[position - 1]!)) {
        edits.push({ file: config.file, start: prevItem.end, end: item.end, text: '' });
      } else if (nextItem) {
        edits.push({ file: config.file, start: item.start, end: nextItem.start, text: '' });
      } else if (prevItem) {
        // The previous item goes too; starting at its end makes the two deletions one.
        edits.push({ file: config.file, start: prevItem.end, end: item.end, text: '' });
      } else {
        // The only item on the key line: remove it with the space before it.
        let s = item.start;
        while (s > lineStart && (text[s - 1] === ' ' || text[s - 1] === '\t')) s--;
        const sepEnd = entry.ini ? entry.ini.keyLine.separatorOffset! + 1 : s;
        edits.push({ file: config.file, start: Math.max(s, sepEnd), end: item.end, text: '' });
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

/** Add one item at the end of a list value, in the value's own layout. */
export function appendItem(config: PytestConfig, entry: ConfigEntry, items: readonly ConfigItem[] | null, value: string): Edit {
  return appendItems(config, entry, items, [value]);
}

/** Add items at the end of a list value in one edit (`-p NAME` is two items), in the value's own layout. */
export function appendItems(
  config: PytestConfig,
  entry: ConfigEntry,
  items: readonly ConfigItem[] | null,
  values: readonly string[],
): Edit {
  const text = config.text;
  const file = config.file;
  if (entry.toml?.type === 'TOMLArray') {
    const els = entry.toml.elements;
    const last = els[els.length - 1];
    if (!last) return { file, start: entry.toml.range[0] + 1, end: entry.toml.range[1] - 1, text: values.map(tomlString).join(', ') };
    const closeLineStart = lineStartAt(text, entry.toml.range[1] - 1);
    const multiline = closeLineStart > last.range[1];
    if (multiline) {
      const lastLineStart = lineStartAt(text, last.range[0]);
      // Only the leading whitespace: a line may hold several items (`"-p", "anyio",`).
      const indent = /^[ \t]*/.exec(text.slice(lastLineStart, last.range[0]))![0];
      const afterLast = text.slice(last.range[1], lineEndAt(text, last.range[1]));
      const hasComma = afterLast.trimStart().startsWith(',');
      const eol = detectEol(text);
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
  const words = values.map(shlexQuote).join(' ');
  if (entry.ini) {
    const cont = entry.ini.continuations;
    const lastCont = cont[cont.length - 1];
    if (lastCont) {
      const indent = text.slice(lastCont.start, lastCont.dataStart);
      return { file, start: lastCont.end, end: lastCont.end, text: `${detectEol(text)}${indent}${words}` };
    }
    if (entry.valueStart === entry.valueEnd) return replaceValue(config, entry, words);
    return { file, start: entry.valueEnd, end: entry.valueEnd, text: ` ${words}` };
  }
  // A TOML string (ini_options): append inside the quotes when they map one to one, else rewrite it.
  const lastItem = items?.[items.length - 1];
  if (items && lastItem) return { file, start: lastItem.end, end: lastItem.end, text: ` ${words}` };
  const current = typeof entry.raw === 'string' ? entry.raw : '';
  return { file, start: entry.valueStart, end: entry.valueEnd, text: tomlString(current ? `${current} ${words}` : words) };
}
