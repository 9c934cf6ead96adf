/**
 * One pytest configuration, whatever file it lives in, read the way pytest reads it
 * (`_pytest/config/findpaths.py: load_config_dict_from_file`), with source offsets for every key, value
 * and list item so rules can point at them and fixes can splice them.
 */
import { basename, extname } from 'node:path';
import { entryEnd, iniValueEnd, parseIni, valueOffsetToFile, type IniDocument, type IniEntry, type IniSection } from '../../formats/ini.js';
import { ShlexError, shlexSplit } from '../../formats/shlex.js';
import {
  keyPath,
  leafKeyValues,
  parseToml,
  plainStringContent,
  tables,
  tomlKind,
  tomlValue,
  type TomlContent,
  type TomlDocument,
  type TomlInlineTable,
  type TomlKind,
  type TomlTable,
} from '../../formats/toml.js';
import { FileProblemError } from '../../core/diagnostic.js';
import { lineEndAt } from '../../core/text.js';
import { keyInfo } from './schema.js';
import type { PytestIniType } from './schema-types.js';

export const CONFIG_NAMES = ['pytest.toml', '.pytest.toml', 'pytest.ini', '.pytest.ini', 'pyproject.toml', 'tox.ini', 'setup.cfg'] as const;

export interface ConfigItem {
  value: string;
  /** Source range of the item; null when the source does not map one to one (a string with escapes). */
  start: number;
  end: number;
}

export interface ConfigEntry {
  key: string;
  keyStart: number;
  keyEnd: number;
  /** The value's source range (INI: from the first data character to the end of the last continuation). */
  valueStart: number;
  valueEnd: number;
  /** The end of the entry's last physical line's content (where a following line is inserted). */
  lineEnd: number;
  /** What pytest gets before typing: in ini mode a string or (from TOML) a list of strings; in toml mode the native value. */
  raw: unknown;
  rawKind: TomlKind;
  ini?: IniEntry;
  toml?: TomlContent;
  /** TOML: the dotted key parts written before this key in its container (`ini_options.`); a sibling is written the same way. */
  keyPrefix?: string;
  /** TOML: the entry sits inside an inline table (`ini_options = { timeout = "30" }`), so a sibling goes inside its braces. */
  inline?: boolean;
}

/**
 * Where a fix writes a key the config lacks: on a new line after `at` (after the last entry, else after the
 * header), inside an inline table, in a new section at the end of the file, or nowhere yet: a file whose
 * only pytest section is one pytest ignores (`[tool:pytest]` in an .ini, `[pytest]` in setup.cfg) waits for
 * known-options' rename, so that two fixes never create two sections with one name.
 */
export type InsertSite =
  | { kind: 'lines'; at: number; prefix: string }
  | { kind: 'inline'; at: number; prefix: string; empty: boolean }
  | { kind: 'new-section'; header: string }
  | { kind: 'waiting'; reason: string };

export interface PytestConfig {
  file: string;
  text: string;
  format: 'ini' | 'toml';
  /** How pytest types values: 'ini' converts strings, 'toml' checks native types. */
  mode: 'ini' | 'toml';
  /** The section or table holding the config; null for a pytest.ini/pytest.toml without one. */
  table: { name: string; start: number; end: number; lineEnd: number } | null;
  entries: ConfigEntry[];
  /** Given with `-c`: any file name counts, as pytest reads it. */
  explicit: boolean;
  ini?: IniDocument;
  toml?: TomlDocument;
  /** True when pytest would skip this file (it only has a section pytest does not read); only its stray table is worth a finding. */
  inert?: boolean;
  /** Where new keys go. */
  insertSite: InsertSite;
  /** Other sections/tables in the same file that look like pytest config but pytest does not read. */
  strayTables: { name: string; start: number; end: number; reason: 'setup-cfg-pytest' | 'ini-tool-pytest' | 'both-toml-tables' }[];
}

/** Parse problems are file problems: one message, file and line, exit 2, nothing written. */
function iniOrThrow(file: string, text: string): IniDocument {
  const doc = parseIni(text);
  if (doc.error) {
    const bom = text.charCodeAt(0) === 0xfeff && doc.error.line === 1;
    throw new FileProblemError({
      file,
      line: doc.error.line,
      message: bom
        ? `file starts with a UTF-8 byte order mark; pytest (iniconfig) reads it as part of line 1 and fails: ${doc.error.message}`
        : `pytest cannot read this file (iniconfig): ${doc.error.message}`,
    });
  }
  return doc;
}

function tomlOrThrow(file: string, text: string): TomlDocument {
  if (text.charCodeAt(0) === 0xfeff) {
    throw new FileProblemError({
      file,
      line: 1,
      column: 1,
      message: 'file starts with a UTF-8 byte order mark, which TOML does not allow; pytest (tomllib) fails to read it',
    });
  }
  const doc = parseToml(text);
  if (doc.error)
    throw new FileProblemError({ file, line: doc.error.line, column: doc.error.column, message: `invalid TOML: ${doc.error.message}` });
  return doc;
}

function iniEntry(entry: IniEntry): ConfigEntry {
  const key = entry.keyLine;
  return {
    key: entry.name,
    keyStart: key.nameStart!,
    keyEnd: key.nameEnd!,
    valueStart: key.dataStart!,
    valueEnd: iniValueEnd(entry),
    lineEnd: entryEnd(entry),
    raw: entry.value,
    rawKind: 'string',
    ini: entry,
  };
}

function iniConfig(file: string, text: string, doc: IniDocument, section: IniSection | undefined, explicit: boolean): PytestConfig {
  const entries = section ? section.entries.map(iniEntry) : [];
  const last = entries[entries.length - 1];
  const insertSite: InsertSite = section
    ? { kind: 'lines', at: last ? last.lineEnd : section.line.end, prefix: '' }
    : { kind: 'new-section', header: extname(file) === '.cfg' ? '[tool:pytest]' : '[pytest]' };
  return {
    insertSite,
    file,
    text,
    format: 'ini',
    mode: 'ini',
    table: section ? { name: section.name, start: section.line.start, end: section.line.end, lineEnd: section.line.end } : null,
    entries,
    explicit,
    ini: doc,
    strayTables: [],
  };
}

/** Read `file` as pytest would. Returns null when the file holds no pytest config (pytest would move on). */
export function loadPytestConfig(file: string, text: string, explicit = false): PytestConfig | null {
  const name = basename(file);
  const ext = extname(file);
  if (ext === '.ini') {
    const doc = iniOrThrow(file, text);
    const section = doc.sections.find((s) => s.name === 'pytest');
    const stray = doc.sections.find((s) => s.name === 'tool:pytest');
    // pytest.ini counts even when empty; another .ini only with a [pytest] section, unless given with -c.
    const alwaysConfig = explicit || name === 'pytest.ini' || name === '.pytest.ini';
    if (!section && !alwaysConfig && !stray) return null;
    const config = iniConfig(file, text, doc, section, explicit);
    config.inert = !section && !alwaysConfig;
    if (stray) config.strayTables.push({ name: stray.name, start: stray.line.start, end: stray.line.end, reason: 'ini-tool-pytest' });
    if (stray && !section)
      config.insertSite = {
        kind: 'waiting',
        reason: 'its [tool:pytest] section, which pytest ignores in an .ini file, must first be renamed to [pytest]',
      };
    return config;
  }
  if (ext === '.cfg') {
    const doc = iniOrThrow(file, text);
    const section = doc.sections.find((s) => s.name === 'tool:pytest');
    const plain = doc.sections.find((s) => s.name === 'pytest');
    if (!section && !plain) return explicit ? iniConfig(file, text, doc, undefined, explicit) : null;
    const config = iniConfig(file, text, doc, section, explicit);
    if (!section && plain) {
      // pytest fails outright on this ("[pytest] section in setup.cfg files is no longer supported").
      config.strayTables.push({ name: plain.name, start: plain.line.start, end: plain.line.end, reason: 'setup-cfg-pytest' });
      config.insertSite = {
        kind: 'waiting',
        reason: 'its [pytest] section, which pytest refuses in setup.cfg, must first be renamed to [tool:pytest]',
      };
    }
    return config;
  }
  if (ext === '.toml') {
    const doc = tomlOrThrow(file, text);
    return tomlConfig(file, text, doc, name === 'pytest.toml' || name === '.pytest.toml', explicit);
  }
  return explicit
    ? {
        file,
        text,
        format: 'ini',
        mode: 'ini',
        table: null,
        entries: [],
        explicit,
        strayTables: [],
        insertSite: { kind: 'new-section', header: '[pytest]' },
      }
    : null;
}

function tomlConfig(file: string, text: string, doc: TomlDocument, pytestToml: boolean, explicit: boolean): PytestConfig | null {
  const ast = doc.ast!;
  const nativePath = pytestToml ? ['pytest'] : ['tool', 'pytest'];
  const iniPath = ['tool', 'pytest', 'ini_options'];
  const native: ConfigEntry[] = [];
  const iniMode: ConfigEntry[] = [];
  const startsWith = (path: string[], prefix: string[]) => prefix.every((p, i) => path[i] === p);
  const same = (path: string[], other: string[]) => path.length === other.length && startsWith(path, other);
  // An inline table that is one of the two pytest tables (`ini_options = {}`), where a key can be written even when it is empty.
  const inlineTables = new Map<string, TomlInlineTable>();
  let iniDefinedAt: { start: number; end: number } | null = null;
  for (const { path, node, inline, prefix } of leafKeyValues(text, ast)) {
    if (node.value.type === 'TOMLInlineTable' && (same(path, iniPath) || same(path, nativePath)))
      inlineTables.set(path.join('.'), node.value);
    // A dotted key or inline table defines [tool.pytest.ini_options] too: pytest sees that table either way.
    if (!pytestToml && !iniDefinedAt && startsWith(path, iniPath)) iniDefinedAt = { start: node.key.range[0], end: node.key.range[1] };
    const isIni = !pytestToml && startsWith(path, iniPath) && path.length === iniPath.length + 1;
    const isNative =
      startsWith(path, nativePath) && path.length === nativePath.length + 1 && !(path[nativePath.length] === 'ini_options' && !pytestToml);
    if (!isIni && !isNative) continue;
    const key = path[path.length - 1]!;
    const lastKey = node.key.keys[node.key.keys.length - 1]!;
    const kind = tomlKind(node.value);
    const entry: ConfigEntry = {
      key,
      keyStart: lastKey.range[0],
      keyEnd: lastKey.range[1],
      valueStart: node.value.range[0],
      valueEnd: node.value.range[1],
      lineEnd: lineEndAt(text, node.value.range[1]),
      raw: isIni ? iniModeValue(node.value) : tomlValue(node.value),
      rawKind: kind,
      toml: node.value,
      keyPrefix: prefix,
      inline: inline !== null,
    };
    (isIni ? iniMode : native).push(entry);
  }
  const findTable = (path: string[]) => tables(ast).find((t) => t.kind === 'standard' && same(t.resolvedKey.map(String), path));
  const nativeTable = findTable(nativePath);
  const iniTable = pytestToml ? undefined : findTable(iniPath);
  const tableInfo = (t: TomlTable | undefined, name: string) =>
    t ? { name, start: t.range[0], end: t.key.range[1] + 1, lineEnd: lineEndAt(text, t.key.range[1] + 1) } : null;
  /**
   * The table as findings see it: its own header, else (defined by dotted keys or an inline table) the header
   * of the table those keys sit in, else the first key that defines it.
   */
  const locate = (t: TomlTable | undefined, name: string, entries: ConfigEntry[], definedAt: { start: number; end: number } | null) => {
    const own = tableInfo(t, name);
    if (own) return own;
    const first = entries[0];
    const holder = first ? tables(ast).find((h) => h.range[0] <= first.keyStart && first.keyStart < h.range[1]) : undefined;
    if (holder) return { name, start: holder.range[0], end: holder.key.range[1] + 1, lineEnd: lineEndAt(text, holder.key.range[1] + 1) };
    const at = definedAt ?? (first ? { start: first.keyStart, end: first.keyEnd } : null);
    return at ? { name, start: at.start, end: at.end, lineEnd: lineEndAt(text, at.end) } : null;
  };
  const siteFor = (entries: ConfigEntry[], table: PytestConfig['table'], inlineKey: string): InsertSite => {
    const last = entries[entries.length - 1];
    if (last?.inline) return { kind: 'inline', at: last.valueEnd, prefix: last.keyPrefix ?? '', empty: false };
    if (last) return { kind: 'lines', at: last.lineEnd, prefix: last.keyPrefix ?? '' };
    const inlineTable = inlineTables.get(inlineKey);
    if (inlineTable) return { kind: 'inline', at: inlineTable.range[0] + 1, prefix: '', empty: true };
    if (table) return { kind: 'lines', at: table.lineEnd, prefix: '' };
    return { kind: 'new-section', header: pytestToml ? '[pytest]' : '[tool.pytest.ini_options]' };
  };
  const base = { file, text, format: 'toml' as const, explicit, toml: doc, strayTables: [] as PytestConfig['strayTables'] };
  if (native.length > 0) {
    const table = locate(nativeTable, nativePath.join('.'), native, null);
    const config: PytestConfig = {
      ...base,
      mode: 'toml',
      table,
      entries: native,
      insertSite: siteFor(native, table, nativePath.join('.')),
    };
    if (iniMode.length > 0 || iniTable || iniDefinedAt) {
      const where = iniTable
        ? { start: iniTable.range[0], end: iniTable.key.range[1] + 1 }
        : (iniDefinedAt ?? { start: iniMode[0]!.keyStart, end: iniMode[0]!.keyEnd });
      config.strayTables.push({ name: iniPath.join('.'), ...where, reason: 'both-toml-tables' });
    }
    return config;
  }
  if (iniMode.length > 0 || iniTable || iniDefinedAt) {
    const table = locate(iniTable, iniPath.join('.'), iniMode, iniDefinedAt);
    return { ...base, mode: 'ini', table, entries: iniMode, insertSite: siteFor(iniMode, table, iniPath.join('.')) };
  }
  if (pytestToml || nativeTable) {
    const table = tableInfo(nativeTable, nativePath.join('.'));
    return { ...base, mode: 'toml', table, entries: [], insertSite: siteFor([], table, nativePath.join('.')) };
  }
  return explicit ? { ...base, mode: 'ini', table: null, entries: [], insertSite: siteFor([], null, iniPath.join('.')) } : null;
}

/** pytest's `make_scalar`: in ini_options, lists stay lists and everything else becomes `str(v)`. */
/** What pytest's `str(value)` makes of a TOML scalar in `ini_options`: Python's spelling, not JavaScript's. */
function iniModeValue(node: TomlContent): unknown {
  const v = tomlValue(node);
  if (Array.isArray(v)) return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (node.type === 'TOMLValue' && node.kind === 'integer') return String((node as { bigint?: bigint }).bigint ?? v);
  if (node.type === 'TOMLValue' && node.kind === 'float') return pyFloatRepr(v as number);
  return String(v);
}

/**
 * Python's repr() of a float: the shortest digits that round-trip (as JavaScript's), written in fixed
 * notation for exponents -4..15 (always with a fractional part, `9.0`) and otherwise as `1.5e+16`, `1e-07`.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = x.toExponential().split('e') as [string, string];
  const e = Number(exp);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  if (e >= -4 && e < 16) {
    if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
    const int = digits.slice(0, e + 1).padEnd(e + 1, '0');
    const frac = digits.slice(e + 1);
    return `${sign}${int}.${frac || '0'}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

export function getEntry(config: PytestConfig, key: string): ConfigEntry | undefined {
  const direct = config.entries.find((e) => e.key === key);
  if (direct) return direct;
  // Aliases (xfail_strict -> strict_xfail) count as the key they stand for.
  return config.entries.find((e) => keyInfo(e.key)?.canonical === key);
}

export interface TypedValue {
  ok: boolean;
  value?: unknown;
  error?: string;
}

const TRUE = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const FALSE = new Set(['n', 'no', 'f', 'false', 'off', '0']);

/** The value as pytest's `getini` types it (`_getini_ini` / `_getini_toml`). */
export function typedValue(config: PytestConfig, entry: ConfigEntry, type: PytestIniType): TypedValue {
  const raw = entry.raw;
  if (config.mode === 'toml') {
    switch (type) {
      case 'args':
      case 'linelist':
      case 'paths':
      case 'pathlist':
        if (!Array.isArray(raw))
          return { ok: false, error: `expects a list of strings for type '${type}', got ${pyTypeName(entry.rawKind)}` };
        if (raw.some((x) => typeof x !== 'string')) return { ok: false, error: 'expects a list of strings' };
        return { ok: true, value: raw };
      case 'bool':
        return entry.rawKind === 'boolean'
          ? { ok: true, value: raw }
          : { ok: false, error: `expects a bool, got ${pyTypeName(entry.rawKind)}` };
      case 'int':
        return entry.rawKind === 'integer'
          ? { ok: true, value: raw }
          : { ok: false, error: `expects an int, got ${pyTypeName(entry.rawKind)}` };
      case 'float':
        return entry.rawKind === 'integer' || entry.rawKind === 'float'
          ? { ok: true, value: Number(raw) }
          : { ok: false, error: `expects a float, got ${pyTypeName(entry.rawKind)}` };
      default:
        return entry.rawKind === 'string'
          ? { ok: true, value: raw }
          : { ok: false, error: `expects a string, got ${pyTypeName(entry.rawKind)}` };
    }
  }
  const str = typeof raw === 'string' ? raw : null;
  switch (type) {
    case 'args':
    case 'paths':
    case 'pathlist':
      if (str === null) return { ok: true, value: raw };
      try {
        return { ok: true, value: shlexSplit(str).map((t) => t.value) };
      } catch (e) {
        return { ok: false, error: `cannot be split like a shell command line: ${(e as ShlexError).message}` };
      }
    case 'linelist':
      return {
        ok: true,
        value:
          str === null
            ? raw
            : str
                .split('\n')
                .map((l) => l.trim())
                .filter(Boolean),
      };
    case 'bool': {
      const v = String(raw).trim().toLowerCase();
      if (TRUE.has(v)) return { ok: true, value: true };
      if (FALSE.has(v)) return { ok: true, value: false };
      return { ok: false, error: `invalid truth value ${JSON.stringify(String(raw))}` };
    }
    case 'int':
      if (str !== null && /^\s*[+-]?\d+(_\d+)*\s*$/.test(str)) return { ok: true, value: Number(str.replace(/_/g, '')) };
      return { ok: false, error: `invalid literal for int(): ${JSON.stringify(String(raw))}` };
    case 'float':
      if (str !== null && str.trim() !== '' && !Number.isNaN(Number(str.trim()))) return { ok: true, value: Number(str) };
      return { ok: false, error: `could not convert string to float: ${JSON.stringify(String(raw))}` };
    default:
      return { ok: true, value: Array.isArray(raw) ? raw : str };
  }
}

function pyTypeName(kind: TomlKind): string {
  return { string: 'str', integer: 'int', float: 'float', boolean: 'bool', datetime: 'datetime', array: 'list', table: 'dict' }[kind];
}

/**
 * The items of a list-typed value with their source ranges: shell words for args/paths, lines for
 * linelist, array elements in TOML. Returns null where the source cannot be mapped item by item.
 */
export function listItems(config: PytestConfig, entry: ConfigEntry, type: PytestIniType): ConfigItem[] | null {
  if (entry.toml?.type === 'TOMLArray') {
    return entry.toml.elements.map((el) => ({ value: String(tomlValue(el)), start: el.range[0], end: el.range[1] }));
  }
  if (entry.ini) {
    const e = entry.ini;
    if (type === 'linelist') {
      const items: ConfigItem[] = [];
      let at = 0;
      for (const part of e.value.split('\n')) {
        const lead = part.length - part.trimStart().length;
        const trimmed = part.trim();
        if (trimmed) {
          items.push({ value: trimmed, start: valueOffsetToFile(e, at + lead), end: valueOffsetToFile(e, at + lead + trimmed.length) });
        }
        at += part.length + 1;
      }
      return items;
    }
    try {
      return shlexSplit(e.value).map((t) => ({ value: t.value, start: valueOffsetToFile(e, t.start), end: valueOffsetToFile(e, t.end) }));
    } catch {
      return null;
    }
  }
  if (entry.toml) {
    const content = plainStringContent(config.text, entry.toml);
    if (!content) return null;
    const s = config.text.slice(content.start, content.end);
    const split = type === 'linelist' ? null : safeShlex(s);
    if (!split) return null;
    return split.map((t) => ({ value: t.value, start: content.start + t.start, end: content.start + t.end }));
  }
  return null;
}

function safeShlex(s: string) {
  try {
    return shlexSplit(s);
  } catch {
    return null;
  }
}

/** The list a list-typed key holds (no ranges), or [] when unset or unreadable. */
export function listValue(config: PytestConfig, key: string, type: PytestIniType): string[] {
  const entry = getEntry(config, key);
  if (!entry) return [];
  const typed = typedValue(config, entry, type);
  return typed.ok && Array.isArray(typed.value) ? (typed.value as string[]) : [];
}

export { keyPath };
/** Re-exported for the rules that cut lines of a config (known-options). */
export { lineEndAt };
