/**
 * Static readings of Python files that are never imported: what a conftest.py or local plugin module
 * registers with pytest (`parser.addoption`, `parser.addini`, `group.addoption`,
 * `config.addinivalue_line("markers", ...)`, `pytest_plugins`), and the literal dependency lists of a
 * setup.py (`setup(install_requires=[...], extras_require={...})`). Only literals count; anything computed
 * makes the reading `opaque`, so callers can stay conservative.
 */
import { withPythonTree, type PythonNode } from './python.js';

export interface Literal {
  value: string;
  start: number;
  end: number;
}

function stringValue(n: PythonNode | null): string | null {
  if (!n) return null;
  if (n.type === 'concatenated_string') {
    const parts = n.namedChildren.map((c) => stringValue(c));
    return parts.every((p) => p !== null) ? parts.join('') : null;
  }
  if (n.type !== 'string') return null;
  const start = n.child(0);
  if (!start || /[fFbB]/.test(start.text)) return null;
  if (n.namedChildren.some((c) => c?.type === 'interpolation' || c?.type === 'escape_sequence')) return null;
  return n.namedChildren
    .filter((c) => c?.type === 'string_content')
    .map((c) => c.text)
    .join('');
}

/**
 * The nodes of the given types under `root`, in document order, walked with a cursor: materialising every
 * node (`namedChildren` at each level) cost a conftest.py of a few hundred lines 20 ms.
 */
function* walk(root: PythonNode, types: ReadonlySet<string>): Generator<PythonNode> {
  const cursor = root.walk();
  try {
    for (;;) {
      if (types.has(cursor.nodeType) && cursor.nodeIsNamed) yield cursor.currentNode;
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return;
    }
  } finally {
    cursor.delete();
  }
}

function calleeName(call: PythonNode): string | null {
  const fn = call.childForFieldName('function');
  if (!fn) return null;
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'attribute') return fn.childForFieldName('attribute')?.text ?? null;
  return null;
}

function args(call: PythonNode): { positional: PythonNode[]; keywords: Map<string, PythonNode> } {
  const positional: PythonNode[] = [];
  const keywords = new Map<string, PythonNode>();
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      const value = a.childForFieldName('value');
      if (name && value) keywords.set(name, value);
    } else positional.push(a);
  }
  return { positional, keywords };
}

export interface PluginFlag {
  names: string[];
  value: 'none' | 'required' | 'optional';
  /** argparse `nargs` when several values: `+`, `*`, or a count above 1. */
  nargs?: number | '+' | '*';
}

export interface PluginModuleReading {
  flags: PluginFlag[];
  keys: string[];
  markers: string[];
  /** `pytest_plugins` entries (module names). */
  plugins: string[];
  /** Whether it defines `pytest_addoption` / `pytest_configure` hooks. */
  hooks: string[];
  /** Something was registered through a value that is not a literal: the reading is incomplete. */
  opaque: boolean;
}

const PLUGIN_NODES: ReadonlySet<string> = new Set(['function_definition', 'assignment', 'call']);
const ASSIGNMENT: ReadonlySet<string> = new Set(['assignment']);
const CALL: ReadonlySet<string> = new Set(['call']);
const NO_VALUE_ACTIONS = new Set(['store_true', 'store_false', 'store_const', 'append_const', 'count', 'help', 'version']);

/** What a conftest.py or plugin module registers with pytest, read statically. */
export async function readPluginModule(text: string): Promise<PluginModuleReading> {
  const out: PluginModuleReading = { flags: [], keys: [], markers: [], plugins: [], hooks: [], opaque: false };
  // Everything read below needs one of these words in the text: most conftest.py files are not parsed at all.
  if (!/addoption|addini|pytest_configure|pytest_plugins/.test(text)) return out;
  return withPythonTree(text, (root) => {
    for (const n of walk(root, PLUGIN_NODES)) {
      if (n.type === 'function_definition') {
        const name = n.childForFieldName('name')?.text;
        if (name && /^pytest_(addoption|configure)$/.test(name)) out.hooks.push(name);
        continue;
      }
      if (n.type === 'assignment' && n.childForFieldName('left')?.text === 'pytest_plugins' && n.parent?.parent?.type === 'module') {
        const right = n.childForFieldName('right');
        const items = right && (right.type === 'list' || right.type === 'tuple') ? right.namedChildren : [right];
        for (const item of items) {
          if (!item || item.type === 'comment') continue;
          const v = stringValue(item);
          if (v === null) out.opaque = true;
          else out.plugins.push(v);
        }
        continue;
      }
      if (n.type !== 'call') continue;
      const callee = calleeName(n);
      if (callee === 'addoption' || callee === '_addoption') {
        const { positional, keywords } = args(n);
        const names = positional.map(stringValue);
        if (names.length === 0 || names.some((x) => x === null)) {
          out.opaque = true;
          continue;
        }
        const action = stringValue(keywords.get('action') ?? null);
        const nargsNode = keywords.get('nargs') ?? null;
        const nargs = nargsNode?.type === 'integer' ? Number(nargsNode.text) : stringValue(nargsNode);
        const value =
          (action && NO_VALUE_ACTIONS.has(action)) || nargs === 0 ? 'none' : nargs === '?' || nargs === '*' ? 'optional' : 'required';
        if (keywords.has('action') && action === null) out.opaque = true;
        const several: PluginFlag['nargs'] =
          value === 'none'
            ? undefined
            : nargs === '+' || nargs === '*'
              ? nargs
              : typeof nargs === 'number' && nargs > 1
                ? nargs
                : undefined;
        out.flags.push({ names: names as string[], value, ...(several !== undefined ? { nargs: several } : {}) });
      } else if (callee === 'addini') {
        const first = args(n).positional[0] ?? args(n).keywords.get('name') ?? null;
        const v = stringValue(first);
        if (v === null) out.opaque = true;
        else out.keys.push(v);
      } else if (callee === 'addinivalue_line') {
        const { positional } = args(n);
        const section = stringValue(positional[0] ?? null);
        if (section !== 'markers') {
          if (section === null) out.opaque = true;
          continue;
        }
        const line = stringValue(positional[1] ?? null);
        // `f"{name}: ..."` and the like: a mark registered under a computed name.
        if (line === null) out.opaque = true;
        else out.markers.push(line.split(/[:(]/)[0]!.trim());
      }
    }
    return out;
  });
}

export interface PythonList {
  /** The list literal's range, brackets included. */
  start: number;
  end: number;
  items: Literal[];
  /** Every element was a plain string literal. */
  complete: boolean;
}

export interface SetupPyReading {
  /** `install_requires` / `tests_require` / `setup_requires` lists by keyword. */
  lists: Map<string, PythonList>;
  /** `extras_require` entries by extra name. */
  extras: Map<string, PythonList>;
  /** `entry_points` by group (`pytest11`): each `name = module[:attr]` string, from a list or one string. */
  entryPoints: Map<string, Literal[]>;
  /** A dependency keyword whose value is not a literal (or a name bound to one). */
  opaque: boolean;
}

function listLiteral(n: PythonNode): PythonList | null {
  if (n.type !== 'list' && n.type !== 'tuple') return null;
  const items: Literal[] = [];
  let complete = true;
  for (const c of n.namedChildren) {
    if (!c || c.type === 'comment') continue;
    const v = stringValue(c);
    if (v === null) complete = false;
    else items.push({ value: v, start: c.startIndex, end: c.endIndex });
  }
  return { start: n.startIndex, end: n.endIndex, items, complete };
}

/** The literal dependency lists of a setup.py's `setup(...)` call; never runs the file. */
export async function readSetupPy(text: string): Promise<SetupPyReading> {
  return withPythonTree(text, (root) => {
    const out: SetupPyReading = { lists: new Map(), extras: new Map(), entryPoints: new Map(), opaque: false };
    // Module-level `NAME = [...]` / `{...}` so `install_requires=REQUIRES` resolves.
    const bound = new Map<string, PythonNode>();
    for (const stmt of root.namedChildren) {
      const a = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : null;
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type === 'identifier' && right) bound.set(left.text, right);
    }
    const resolve = (n: PythonNode) => (n.type === 'identifier' ? (bound.get(n.text) ?? n) : n);
    const entryPoints = (dict: PythonNode) => {
      for (const pair of dict.namedChildren) {
        if (pair?.type !== 'pair') continue;
        const group = stringValue(pair.childForFieldName('key'));
        const v = pair.childForFieldName('value');
        if (group === null || !v) continue;
        const one = stringValue(resolve(v));
        const items = one !== null ? [{ value: one, start: v.startIndex, end: v.endIndex }] : (listLiteral(resolve(v))?.items ?? []);
        out.entryPoints.set(group, items);
      }
    };
    // `setupkw['entry_points'] = {...}` then `setup(**setupkw)` (xdoctest's setup.py).
    for (const n of walk(root, ASSIGNMENT)) {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left?.type === 'subscript' && right?.type === 'dictionary' && stringValue(left.childForFieldName('subscript')) === 'entry_points')
        entryPoints(right);
    }
    for (const n of walk(root, CALL)) {
      if (!/^(setup|setuptools\.setup)$/.test(n.childForFieldName('function')?.text ?? '')) continue;
      for (const [name, raw] of args(n).keywords) {
        const value = resolve(raw);
        if (name === 'install_requires' || name === 'tests_require' || name === 'setup_requires') {
          const list = listLiteral(value);
          if (list) out.lists.set(name, list);
          else out.opaque = true;
        } else if (name === 'entry_points' && value.type === 'dictionary') {
          entryPoints(value);
        } else if (name === 'extras_require') {
          if (value.type !== 'dictionary') {
            out.opaque = true;
            continue;
          }
          for (const pair of value.namedChildren) {
            if (pair?.type !== 'pair') continue;
            const key = stringValue(pair.childForFieldName('key'));
            const v = pair.childForFieldName('value');
            const list = v ? listLiteral(resolve(v)) : null;
            if (key !== null && list) out.extras.set(key, list);
            else out.opaque = true;
          }
        }
      }
    }
    return out;
  });
}
