/**
 * Lossless edits of JS/TS/JSON configs: range splices into object and array literals in the file's own
 * style (quote character, indentation unit, trailing commas, line ending). Nothing is re-printed: a fix
 * adds, replaces or removes the members it is about, and every other byte stays.
 */
import type { Edit } from '../core/diagnostic.js';
import { detectEol } from '../core/text.js';
import type { ArrayLiteral, JsValue, ObjectLiteral, Span } from './js.js';

export interface JsStyle {
  quote: string;
  indent: string;
  eol: string;
  trailingComma: boolean;
  json: boolean;
  /** Property names are written quoted (`"testEnvironment": ...`), as JSON must and some JS does. */
  quoteKeys: boolean;
}

/** A value to write, as plain data; `{ code: '...' }` is written as is (an expression). */
export type Literal = string | number | boolean | null | { code: string } | Literal[] | { [key: string]: Literal };

const isCode = (v: Literal): v is { code: string } =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  typeof (v as { code?: unknown }).code === 'string' &&
  Object.keys(v).length === 1;

/** The file's style, read from its text: the quote its string literals use, its indentation unit, trailing commas. */
export function styleOf(file: string, text: string): JsStyle {
  const json = file.endsWith('.json');
  const eol = detectEol(text);
  const indents = [...text.matchAll(/\n([ \t]+)\S/g)].map((m) => m[1]!);
  const tab = indents.length > 0 && indents.filter((i) => i.startsWith('\t')).length > indents.length / 2;
  const spaces = indents
    .filter((i) => !i.startsWith('\t'))
    .map((i) => i.length)
    .filter((n) => n > 0);
  const unit = tab ? '\t' : ' '.repeat(spaces.length > 0 ? Math.min(...spaces) : 2);
  const singles = (text.match(/(^|[\s([{:,=])'/g) ?? []).length;
  const doubles = (text.match(/(^|[\s([{:,=])"/g) ?? []).length;
  return {
    quote: json || doubles > singles ? '"' : "'",
    indent: unit,
    eol,
    trailingComma: !json && /,[ \t]*(\/\/[^\n]*)?\r?\n[ \t]*[}\]]/.test(text),
    json,
    quoteKeys:
      json || (text.match(/^[ \t]*["'][\w$]+["']\s*:/gm) ?? []).length > (text.match(/^[ \t]*[A-Za-z_$][\w$]*\s*:/gm) ?? []).length,
  };
}

export function quoteString(value: string, style: JsStyle): string {
  const q = style.quote;
  const body = JSON.stringify(value).slice(1, -1);
  return q === '"' ? `"${body}"` : `'${body.replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const renderKey = (key: string, style: JsStyle) =>
  style.quoteKeys || !IDENTIFIER.test(key) ? quoteString(key, { ...style, quote: style.json ? '"' : style.quote }) : key;

/** `key: value`, the key quoted only where it must be (always in JSON). */
export function renderProperty(key: string, value: Literal, style: JsStyle, indent: string): string {
  return `${renderKey(key, style)}: ${renderLiteral(value, style, indent)}`;
}

/** Render a value; objects go over several lines at `indent` (the indentation of the line they start on). */
export function renderLiteral(value: Literal, style: JsStyle, indent: string): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quoteString(value, style);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isCode(value)) return value.code;
  if (Array.isArray(value)) return `[${value.map((v) => renderLiteral(v, style, indent)).join(', ')}]`;
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const inner = indent + style.indent;
  const lines = entries.map(([k, v]) => `${inner}${renderKey(k, style)}: ${renderLiteral(v, style, inner)}`);
  return `{${style.eol}${lines.join(`,${style.eol}`)}${style.trailingComma ? ',' : ''}${style.eol}${indent}}`;
}

/** The whitespace that starts the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  let s = offset;
  while (s > 0 && text[s - 1] !== '\n') s--;
  return /^[ \t]*/.exec(text.slice(s))![0];
}

/** Past the trailing same-line comment (and spaces) after `offset`: where a new line can start. */
function lineContentEnd(text: string, offset: number): number {
  let i = offset;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text.startsWith('//', i)) {
    while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    return i;
  }
  if (text.startsWith('/*', i)) {
    const close = text.indexOf('*/', i + 2);
    if (close >= 0 && !text.slice(i, close).includes('\n')) return lineContentEnd(text, close + 2);
  }
  return offset;
}

const multiline = (text: string, literal: Span, members: readonly Span[]) =>
  text.slice(literal.start, members[0]?.start ?? literal.end).includes('\n');

/**
 * Insert members (already rendered, without separators) at the end of a literal, laid out as its members
 * are: one per line after the last in a multi-line literal, inline in a one-line literal, and on new lines
 * in an empty one.
 */
function appendMembers(
  text: string,
  file: string,
  literal: Span,
  members: readonly (Span & { comma: number | null })[],
  rendered: (indent: string) => string[],
  style: JsStyle,
): Edit[] {
  const last = members[members.length - 1];
  if (!last) {
    const outer = indentAt(text, literal.start);
    const inner = outer + style.indent;
    const items = rendered(inner);
    const interior = text.slice(literal.start + 1, literal.end - 1);
    const body = `${style.eol}${inner}${items.join(`,${style.eol}${inner}`)}${style.trailingComma ? ',' : ''}${style.eol}${outer}`;
    // `{}` or `{ }` is replaced whole; an interior with comments keeps them, the members go after.
    return interior.trim() === ''
      ? [{ file, start: literal.start + 1, end: literal.end - 1, text: body }]
      : [{ file, start: literal.end - 1, end: literal.end - 1, text: body }];
  }
  if (!multiline(text, literal, members)) {
    const items = rendered(indentAt(text, literal.start));
    if (last.comma !== null) return [{ file, start: last.comma + 1, end: last.comma + 1, text: ` ${items.join(', ')},` }];
    return [{ file, start: last.end, end: last.end, text: `, ${items.join(', ')}` }];
  }
  const indent = indentAt(text, members[0]!.start);
  const items = rendered(indent);
  const lines = items.map((m) => `${style.eol}${indent}${m}`);
  if (last.comma !== null) {
    return [{ file, start: lineContentEnd(text, last.comma + 1), end: lineContentEnd(text, last.comma + 1), text: lines.join(',') + ',' }];
  }
  const at = lineContentEnd(text, last.end);
  const edits: Edit[] = [{ file, start: last.end, end: last.end, text: ',' }];
  edits.push({ file, start: at, end: at, text: lines.join(',') + (style.trailingComma ? ',' : '') });
  return edits;
}

/** Add `key: value` properties to an object literal (they must not be there yet). */
export function insertProperties(
  text: string,
  literal: ObjectLiteral,
  entries: readonly (readonly [string, Literal])[],
  style: JsStyle,
): Edit[] {
  return appendMembers(
    text,
    literal.file,
    literal,
    literal.members,
    (indent) => entries.map(([k, v]) => renderProperty(k, v, style, indent)),
    style,
  );
}

/** Add items to an array literal. */
export function appendItems(text: string, literal: ArrayLiteral, items: readonly Literal[], style: JsStyle): Edit[] {
  return appendMembers(text, literal.file, literal, literal.elements, (indent) => items.map((v) => renderLiteral(v, style, indent)), style);
}

export function replaceValue(text: string, value: JsValue, next: Literal, style: JsStyle): Edit {
  return { file: value.file, start: value.start, end: value.end, text: renderLiteral(next, style, indentAt(text, value.start)) };
}

/**
 * Remove one member (a property or an array item) with its separator: its whole line(s) when it stands on
 * its own, else the member and the comma (or the comma before it, for the last one).
 */
export function removeMember(text: string, file: string, members: readonly (Span & { comma: number | null })[], index: number): Edit {
  const member = members[index]!;
  const through = member.comma !== null ? member.comma + 1 : member.end;
  const lineStart = text.lastIndexOf('\n', member.start - 1) + 1;
  const after = lineContentEnd(text, through);
  const ownLine =
    text.slice(lineStart, member.start).trim() === '' && (after >= text.length || text[after] === '\n' || text[after] === '\r');
  if (ownLine && (member.comma !== null || index === 0)) {
    const next = text.indexOf('\n', after);
    return { file, start: lineStart, end: next < 0 ? text.length : next + 1, text: '' };
  }
  const previous = members[index - 1];
  // The last member without a comma of its own takes the comma before it (JSON allows no trailing comma).
  if (member.comma === null && previous?.comma != null) return { file, start: previous.comma, end: ownLine ? after : member.end, text: '' };
  if (member.comma !== null) {
    let end = member.comma + 1;
    while (text[end] === ' ') end++;
    return { file, start: member.start, end, text: '' };
  }
  return { file, start: member.start, end: member.end, text: '' };
}

/**
 * Remove several members of one literal. A one-line literal is re-rendered from the kept members' own
 * source text; in a multi-line one each removed member's line goes, and when the last member goes in a
 * literal without a trailing comma, so does the comma after the new last one.
 */
export function removeMembers(
  text: string,
  literal: Span & { members?: readonly (Span & { comma: number | null })[]; elements?: readonly (Span & { comma: number | null })[] },
  drop: ReadonlySet<number>,
): Edit[] {
  const members = literal.members ?? literal.elements ?? [];
  const kept = members.filter((_, i) => !drop.has(i));
  const { file } = literal;
  const open = text[literal.start]!;
  const close = text[literal.end - 1]!;
  if (!multiline(text, literal, members)) {
    const inner = kept.map((m) => text.slice(m.start, m.end)).join(', ');
    return [{ file, start: literal.start, end: literal.end, text: `${open}${open === '{' && inner ? ` ${inner} ` : inner}${close}` }];
  }
  const edits: Edit[] = [];
  members.forEach((m, i) => {
    if (!drop.has(i)) return;
    const lineStart = text.lastIndexOf('\n', m.start - 1) + 1;
    const after = lineContentEnd(text, m.comma !== null ? m.comma + 1 : m.end);
    const next = text.indexOf('\n', after);
    edits.push({ file, start: lineStart, end: next < 0 ? text.length : next + 1, text: '' });
  });
  const last = members[members.length - 1];
  const newLast = kept[kept.length - 1];
  if (last && newLast && last !== newLast && last.comma === null && newLast.comma !== null)
    edits.push({ file, start: newLast.comma, end: newLast.comma + 1, text: '' });
  return edits;
}
