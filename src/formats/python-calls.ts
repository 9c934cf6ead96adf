/**
 * Calls in a Python module, read statically through tree-sitter (python.ts's parser): the callee as a dotted
 * name, the enclosing function, and every argument with its value as a plain string literal where it is one.
 * For files whose calls matter (a noxfile's `session.run(...)`), not for test modules.
 */
import type { Node as TsNode } from 'web-tree-sitter';
import { dotted, parser, stringLiteral } from './python.js';

export interface CallArgument {
  /** Keyword name, or null for a positional (`*args` included, with its `*` in `text`). */
  name: string | null;
  string: string | null;
  text: string;
  start: number;
  end: number;
}

export interface FoundCall {
  callee: string;
  /** The function the call is in (a nox session's name), or null at module level. */
  functionName: string | null;
  start: number;
  end: number;
  args: CallArgument[];
}

/** Every call whose dotted callee matches `callee`. */
export async function findCalls(text: string, callee: RegExp): Promise<FoundCall[]> {
  const tree = (await parser()).parse(text);
  if (!tree) return [];
  try {
    const out: FoundCall[] = [];
    for (const n of tree.rootNode.descendantsOfType('call')) {
      if (!n) continue;
      const name = dotted(n.childForFieldName('function'));
      if (!name || !callee.test(name)) continue;
      let fn: TsNode | null = n.parent;
      while (fn && fn.type !== 'function_definition') fn = fn.parent;
      const args: CallArgument[] = [];
      for (const a of n.childForFieldName('arguments')?.namedChildren ?? []) {
        if (!a || a.type === 'comment') continue;
        const isKw = a.type === 'keyword_argument';
        const value = isKw ? a.childForFieldName('value') : a;
        args.push({
          name: isKw ? (a.childForFieldName('name')?.text ?? null) : null,
          string: value ? (stringLiteral(value)?.value ?? null) : null,
          text: a.text,
          start: a.startIndex,
          end: a.endIndex,
        });
      }
      out.push({ callee: name, functionName: fn?.childForFieldName('name')?.text ?? null, start: n.startIndex, end: n.endIndex, args });
    }
    return out;
  } finally {
    tree.delete();
  }
}
