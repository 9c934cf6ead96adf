/**
 * Edits on a pytest config, whatever file it lives in: where pytest wants a key, how pytest's mode of the
 * file wants a value written, and which format-level editor (formats/ini-edit.ts, formats/toml-edit.ts,
 * formats/line-edit.ts) splices it in the file's own style. Nothing here re-serializes a file.
 */
import type { Edit } from '../../core/diagnostic.js';
import { lineStartAt } from '../../core/text.js';
import { appendIniWords, iniSeparator, removeIniWords, replaceIniValue } from '../../formats/ini-edit.js';
import { appendSection, insertKeyLines, keySeparator, removeWords } from '../../formats/line-edit.js';
import { shlexQuote } from '../../formats/shlex.js';
import { renderToml, tomlString } from '../../formats/toml.js';
import { appendArrayItems, appendToString, insertInlineKeys, removeArrayItems } from '../../formats/toml-edit.js';
import type { ConfigEntry, ConfigItem, PytestConfig } from './config.js';
import type { PytestIniType } from './schema-types.js';

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
  const { file, text } = config;
  const site = config.insertSite;
  switch (site.kind) {
    case 'lines':
      return insertKeyLines(file, text, site.at, site.prefix, pairs, separatorStyle(config));
    case 'inline':
      return insertInlineKeys(file, text, site.at, site.prefix, pairs, site.empty);
    case 'new-section':
      return appendSection(file, text, site.header, pairs, separatorStyle(config));
    case 'waiting': {
      const edit = { file, start: text.length, end: text.length, text: '' };
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
    return e ? keySeparator(config.text, e.keyEnd, e.valueStart) : ' = ';
  }
  return iniSeparator(
    config.text,
    config.entries.map((e) => e.ini!),
  );
}

/** Replace an entry's whole value (only for values without inner structure worth keeping). */
export function replaceValue(config: PytestConfig, entry: ConfigEntry, renderedValue: string): Edit {
  if (entry.ini) return replaceIniValue(config.file, entry.ini, renderedValue);
  return { file: config.file, start: entry.valueStart, end: entry.valueEnd, text: renderedValue };
}

/**
 * Remove some items of a list value, keeping every other item, comment and line as it was. Items that are
 * alone on their line take the line with them; others take the separator next to them.
 */
export function removeItems(config: PytestConfig, entry: ConfigEntry, items: readonly ConfigItem[], remove: ReadonlySet<number>): Edit[] {
  const { file, text } = config;
  if (entry.toml?.type === 'TOMLArray') return removeArrayItems(file, text, entry.toml, remove);
  // Shell words or lines inside an INI value or a TOML string.
  if (entry.ini) return removeIniWords(file, text, entry.ini, items, remove);
  return removeWords(file, text, items, remove, { keyLineStart: lineStartAt(text, entry.keyStart), dropEmptiedLines: false, floor: 0 });
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
  const { file, text } = config;
  if (entry.toml?.type === 'TOMLArray') return appendArrayItems(file, text, entry.toml, values);
  const words = values.map(shlexQuote).join(' ');
  if (entry.ini) return appendIniWords(file, text, entry.ini, words);
  // A TOML string (ini_options): append inside the quotes when they map one to one, else rewrite it.
  const current = typeof entry.raw === 'string' ? entry.raw : '';
  return appendToString(file, entry.toml!, current, items?.[items.length - 1]?.end, words);
}
