/**
 * TOML through toml-eslint-parser: TOML 1.0 as Python's tomllib reads it, with a source range on every
 * table, key, value, array item and comment, so edits splice the original text and keep every comment.
 */
import { parseTOML } from 'toml-eslint-parser';
import type { AST } from 'toml-eslint-parser';

export type TomlProgram = AST.TOMLProgram;
export type TomlKeyValue = AST.TOMLKeyValue;
export type TomlTable = AST.TOMLTable;
export type TomlContent = AST.TOMLContentNode;
export type TomlArray = AST.TOMLArray;
export type TomlScalar = AST.TOMLValue;

export interface TomlError {
  line: number;
  column: number;
  message: string;
}

export interface TomlDocument {
  text: string;
  ast: TomlProgram | null;
  error: TomlError | null;
}

/**
 * The last few documents read, by text: a run reads one pyproject.toml as pytest config, for its
 * dependencies and for CI sites, and a fix pass reads it again while it is unchanged; a 9 MB file took
 * seconds per read. Documents are only read, never changed, so one can be shared.
 */
const recent = new Map<string, TomlDocument>();
const RECENT = 4;

export function parseToml(text: string): TomlDocument {
  const hit = recent.get(text);
  if (hit) return hit;
  const doc = parseTomlText(text);
  if (recent.size >= RECENT) recent.delete(recent.keys().next().value!);
  recent.set(text, doc);
  return doc;
}

function parseTomlText(text: string): TomlDocument {
  try {
    return { text, ast: parseTOML(text, { tomlVersion: '1.0.0' }), error: null };
  } catch (e) {
    // Thousands of nested arrays exhaust the parser's stack (Python's tomllib gives up too): say so plainly.
    // A string of several hundred thousand characters exhausts it too (it spreads the code points into a call).
    if (e instanceof RangeError)
      return { text, ast: null, error: longestLine(text) ?? { line: 1, column: 1, message: 'values nested too deeply to read' } };
    const err = e as { message: string; lineNumber?: number; column?: number };
    return { text, ast: null, error: { line: err.lineNumber ?? 1, column: (err.column ?? 0) + 1, message: err.message } };
  }
}

/** Lines longer than this are no config a person wrote; the parser cannot read one as a single string. */
const MAX_TOML_LINE = 100_000;

function longestLine(text: string): TomlError | null {
  let line = 1;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text.charCodeAt(i) !== 10) continue;
    if (i - start > MAX_TOML_LINE)
      return { line, column: 1, message: `line of ${i - start} characters is too long to read (up to ${MAX_TOML_LINE})` };
    line++;
    start = i + 1;
  }
  return null;
}

export function keyPath(node: AST.TOMLKey): string[] {
  return node.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
}

/** Every key-value with its full dotted path, in document order (top-level, tables, dotted keys). */
export function* keyValues(ast: TomlProgram): Generator<{ path: string[]; node: TomlKeyValue; table: TomlTable | null }> {
  const top = ast.body[0];
  if (!top) return;
  for (const item of top.body) {
    if (item.type === 'TOMLKeyValue') yield { path: keyPath(item.key), node: item, table: null };
    else {
      for (const kv of item.body) yield { path: [...item.resolvedKey.map(String), ...keyPath(kv.key)], node: kv, table: item };
    }
  }
}

export type TomlInlineTable = AST.TOMLInlineTable;

/** A key-value together with the container that holds it, as TOML defines tables through dotted keys and inline tables. */
export interface TomlLeaf {
  /** The full path: `[tool.pytest]` + `ini_options.timeout` is tool.pytest.ini_options.timeout. */
  path: string[];
  node: TomlKeyValue;
  /** The header table the key-value sits under (null at the top level). */
  table: TomlTable | null;
  /** The inline table the key-value sits in, if any (innermost). */
  inline: TomlInlineTable | null;
  /** The source text of the dotted key parts before the last one (`ini_options.`), to write a sibling key the same way. */
  prefix: string;
}

/**
 * Every key-value in document order, with key-values inside inline tables too (after the key-value that
 * holds them): `[tool.pytest]` holding `ini_options.testpaths = [...]` or `ini_options = { testpaths = [...] }`
 * defines the same table as `[tool.pytest.ini_options]`, and readers must see it so.
 */
export function* leafKeyValues(text: string, ast: TomlProgram): Generator<TomlLeaf> {
  function* inside(kv: TomlKeyValue, base: string[], table: TomlTable | null, inline: TomlInlineTable | null): Generator<TomlLeaf> {
    const path = [...base, ...keyPath(kv.key)];
    const lastKey = kv.key.keys[kv.key.keys.length - 1]!;
    yield { path, node: kv, table, inline, prefix: text.slice(kv.key.range[0], lastKey.range[0]) };
    if (kv.value.type === 'TOMLInlineTable') for (const child of kv.value.body) yield* inside(child, path, table, kv.value);
  }
  const top = ast.body[0];
  if (!top) return;
  for (const item of top.body) {
    if (item.type === 'TOMLKeyValue') yield* inside(item, [], null, null);
    else for (const kv of item.body) yield* inside(kv, item.resolvedKey.map(String), item, null);
  }
}

export function tables(ast: TomlProgram): TomlTable[] {
  const top = ast.body[0];
  return top ? top.body.filter((n): n is TomlTable => n.type === 'TOMLTable') : [];
}

/** The value as Python's tomllib gives it, with kinds kept apart (an integer is not a float). */
export type TomlKind = 'string' | 'integer' | 'float' | 'boolean' | 'datetime' | 'array' | 'table';

export function tomlKind(node: TomlContent): TomlKind {
  if (node.type === 'TOMLArray') return 'array';
  if (node.type === 'TOMLInlineTable') return 'table';
  switch (node.kind) {
    case 'string':
      return 'string';
    case 'integer':
      return 'integer';
    case 'float':
      return 'float';
    case 'boolean':
      return 'boolean';
    default:
      return 'datetime';
  }
}

export function tomlValue(node: TomlContent): unknown {
  if (node.type === 'TOMLArray') return node.elements.map(tomlValue);
  if (node.type === 'TOMLInlineTable') {
    const out: Record<string, unknown> = {};
    for (const kv of node.body) out[keyPath(kv.key).join('.')] = tomlValue(kv.value);
    return out;
  }
  if (node.kind === 'integer') return Number(node.value);
  return node.value;
}

/** Where a string literal's characters sit, when they map one to one onto its value (no escapes). */
export function plainStringContent(text: string, node: TomlContent): { start: number; end: number } | null {
  if (node.type !== 'TOMLValue' || node.kind !== 'string' || node.multiline) return null;
  const start = node.range[0] + 1;
  const end = node.range[1] - 1;
  if (node.style === 'basic' && text.slice(start, end).includes('\\')) return null;
  return { start, end };
}

/** A TOML basic string for a value (JSON's escapes are TOML's). */
export function tomlString(value: string): string {
  return JSON.stringify(value);
}

export function renderToml(value: unknown): string {
  if (typeof value === 'string') return tomlString(value);
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(renderToml).join(', ')}]`;
  throw new Error(`cannot render ${typeof value} as TOML`);
}
