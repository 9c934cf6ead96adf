/**
 * Edits on Python sources as splices of the original text: drop items of an argument or parameter list
 * with their separators (comments and line breaks between the others stay), add a keyword argument, add
 * an import after the existing ones.
 */
import type { Edit } from '../../core/diagnostic.js';
import { detectEol } from '../../core/text.js';
import type { Call, PythonModule, Range } from '../../formats/python.js';

/**
 * Remove some items of a parenthesised list. A run of removed items goes with the separator after it (or,
 * at the end, the one before it); removing every item empties the parentheses.
 */
export function removeListItems(file: string, list: Range, items: readonly Range[], remove: ReadonlySet<number>): Edit[] {
  const edits: Edit[] = [];
  for (let i = 0; i < items.length;) {
    if (!remove.has(i)) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < items.length && remove.has(j + 1)) j++;
    const next = items[j + 1];
    const prev = items[i - 1];
    if (next) edits.push({ file, start: items[i]!.start, end: next.start, text: '' });
    else if (prev && !remove.has(i - 1)) edits.push({ file, start: prev.end, end: items[j]!.end, text: '' });
    else edits.push({ file, start: list.start + 1, end: list.end - 1, text: '' });
    i = j + 1;
  }
  return edits;
}

/** Add `name=value` at the end of a call's arguments (giving a bare decorator its parentheses). */
export function addKeyword(file: string, call: Call, text: string, name: string, value: string): Edit {
  if (!call.args) return { file, start: call.end, end: call.end, text: `(${name}=${value})` };
  const items = call.args.items;
  const last = items[items.length - 1];
  if (!last) return { file, start: call.args.start + 1, end: call.args.start + 1, text: `${name}=${value}` };
  // After a trailing comma, keep the list's own layout.
  const after = text.slice(last.end, call.args.end - 1);
  if (after.trimStart().startsWith(',')) {
    const comma = last.end + after.indexOf(',') + 1;
    return { file, start: comma, end: comma, text: ` ${name}=${value},` };
  }
  return { file, start: last.end, end: last.end, text: `, ${name}=${value}` };
}

/** An `import NAME` line after the module's imports (or at its top), unless the module already binds NAME. */
export function ensureImport(file: string, module: PythonModule, name: string): Edit | null {
  if (module.imports.some((i) => i.name === null && i.module === name && i.alias === name)) return null;
  const eol = detectEol(module.text);
  if (module.importsEnd > 0) return { file, start: module.importsEnd, end: module.importsEnd, text: `${eol}import ${name}` };
  // No imports: before the first definition, so a module docstring stays first.
  const first = module.functions.find((f) => f.className === null)?.start ?? 0;
  return { file, start: first, end: first, text: `import ${name}${eol}${eol}` };
}

/** The quote a module uses for strings in a call, to write new ones alike. */
export function quoteOf(text: string, call: Call): string {
  const lit = call.args?.items.find((a) => a.content);
  return lit?.content ? text[lit.content.start - 1]! : '"';
}
