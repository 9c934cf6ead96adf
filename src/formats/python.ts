/**
 * Python sources through tree-sitter (web-tree-sitter + the tree-sitter-python grammar, WebAssembly):
 * every Python 3.12 form, error recovery (a file with a syntax error still yields its other definitions),
 * offsets in UTF-16 units like JS strings. Loaded on first use only: a run on one config never pays for it.
 *
 * Trees are not kept: `parsePython` extracts a plain model (fixtures, tests, marks, imports, each with
 * ranges) and deletes the tree before returning.
 */
import { createRequire } from 'node:module';
import type { Node as TsNode, Parser as TsParser } from 'web-tree-sitter';
import { cpythonVerdict } from './cpython.js';
import { setV8Flag } from '../core/v8-flags.js';

const require = createRequire(import.meta.url);
let parserPromise: Promise<TsParser> | undefined;

/**
 * V8 runs the grammar's WebAssembly first through its baseline compiler (Liftoff), then recompiles the hot
 * functions with its optimising one (TurboFan) on a background thread. That recompilation costs about 170 ms of
 * CPU and pays for itself in wall time only after about a megabyte of Python (measured on this project's
 * 2-core machine: 200 KB parse in 63 ms instead of 105, 1 MB in the same time, 2 MB 10 % slower). The CLI
 * asks for the choice (chooseWasmTier) and the pytest analyzer says how much its test modules hold
 * (expectPython) before the parser first loads; the fixture graph may read about as much again later, so
 * the line is drawn at half a megabyte. The choice is a process-wide V8 flag: a library caller or the
 * language server (long-lived) keeps V8's default, and code caches are kept per flag (core/v8-flags.ts).
 */
const BASELINE_ONLY_BELOW = 512 * 1024;
let tierChoice = false;
let expectedBytes = 0;

/** Let the parser pick V8's WebAssembly tiers by the volume of Python expected (for a one-shot CLI run). */
export function chooseWasmTier(): void {
  tierChoice = true;
}

/** `bytes` of Python are about to be parsed: counted before the parser loads, ignored after. */
export function expectPython(bytes: number): void {
  expectedBytes += bytes;
}

export async function parser(): Promise<TsParser> {
  parserPromise ??= (async () => {
    if (tierChoice && expectedBytes < BASELINE_ONLY_BELOW) setV8Flag('--liftoff-only');
    const { Parser, Language } = require('web-tree-sitter') as typeof import('web-tree-sitter');
    await Parser.init();
    const python = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const p = new Parser();
    p.setLanguage(python);
    return p;
  })();
  return parserPromise;
}

export interface Range {
  start: number;
  end: number;
}

/** A call argument: positional or `name=value`, with its value as a string literal where it is one. */
export interface Argument extends Range {
  name: string | null;
  /** The value expression's range. */
  value: Range;
  /** The value as a plain string literal (no f-string, no concatenation), else null. */
  string: string | null;
  /** The string literal's content range (inside the quotes). */
  content: Range | null;
  /** The value's source text. */
  text: string;
}

export interface Call extends Range {
  /** The callee as a dotted name (`pytest.fixture`, `pa.fixture`, `fixture`), or null. */
  callee: string | null;
  /** The argument list, parentheses included; null for a bare decorator (`@pytest.fixture`). Its items are
   * read for `fixture`/`asyncio` calls and bare names only (see wantsArguments); empty for other calls. */
  args: (Range & { items: Argument[] }) | null;
}

export interface Decorator extends Range {
  /** The decorator expression as a call (a bare name is a call with no argument list). */
  call: Call;
}

export interface FunctionDef extends Range {
  name: string;
  nameRange: Range;
  async: boolean;
  decorators: Decorator[];
  /** Parameter names and ranges, read only for a function whose parameters mention `event_loop` (else empty). */
  params: (Range & { name: string })[];
  /** The parameter list, parentheses included. */
  paramList: Range;
  /**
   * The names of its plain parameters (what a fixture requests), read only for a decorated function (a
   * fixture is one); `*args`, `**kwargs` and keyword-only markers are left out.
   */
  paramNames: string[];
  /** Identifiers used in the body, with ranges (to follow a parameter's uses). */
  body: Range;
  /** The class it is defined in, if any. */
  className: string | null;
}

export interface Assignment extends Range {
  target: string;
  /** Class the assignment is in (class-level pytestmark), or null at module level. */
  className: string | null;
  /** The value: one expression, or the elements of a list/tuple. */
  values: Call[];
}

export interface Import extends Range {
  /** `import a.b as c` → module 'a.b', alias 'c'; `from m import n as a` → module 'm', name 'n', alias 'a'. */
  module: string;
  name: string | null;
  alias: string;
}

export interface PythonModule {
  text: string;
  functions: FunctionDef[];
  assignments: Assignment[];
  /** Decorators of classes (marks on a test class). */
  classDecorators: Decorator[];
  imports: Import[];
  /** Where the top-level imports end (a new import goes after it), or 0. */
  importsEnd: number;
  /**
   * The first syntax error, if any (1-based line), and every error range tree-sitter found. An error only
   * tree-sitter sees is checked with CPython (`ast.parse`): where CPython accepts the text there is no
   * syntax error (the ranges stay, so no edit lands inside them); where CPython rejects it, its position and
   * message are given; `detail` says when no python3 could confirm tree-sitter's verdict.
   */
  syntaxError: { line: number; column: number; detail?: string } | null;
  errorRanges: Range[];
  /** Uses of `event_loop` inside the body of a function that takes it as a parameter; `nested` when inside an inner def or lambda. */
  eventLoopUses(fn: FunctionDef): (Range & { nested: boolean })[];
}

const range = (n: TsNode): Range => ({ start: n.startIndex, end: n.endIndex });

export function dotted(n: TsNode | null): string | null {
  if (!n) return null;
  if (n.type === 'identifier') return n.text;
  if (n.type === 'attribute') {
    const obj = dotted(n.childForFieldName('object'));
    const attr = n.childForFieldName('attribute');
    return obj && attr ? `${obj}.${attr.text}` : null;
  }
  return null;
}

/** A plain string literal's value and content range (no prefix with f/b, a single literal). */
export function stringLiteral(n: TsNode): { value: string; content: Range } | null {
  if (n.type !== 'string') return null;
  const start = n.child(0);
  if (!start || /[fFbB]/.test(start.text)) return null;
  if (n.namedChildren.some((c) => c?.type === 'interpolation' || c?.type === 'escape_sequence')) return null;
  const content = n.namedChildren.find((c) => c?.type === 'string_content');
  const end = n.child(n.childCount - 1)!;
  if (!content) return { value: '', content: { start: start.endIndex, end: end.startIndex } };
  return { value: content.text, content: range(content) };
}

/**
 * Arguments are read only where a rule looks at them: `...fixture(...)`, `...asyncio(...)`, or a bare name
 * (an imported alias of `fixture`). Reading every `parametrize` argument list would cost most of the parse.
 */
function wantsArguments(callee: string | null): boolean {
  if (callee === null) return false;
  const dot = callee.lastIndexOf('.');
  if (dot < 0) return true;
  const last = callee.slice(dot + 1);
  return last === 'fixture' || last === 'asyncio';
}

/**
 * One string per distinct callee (`pytest.mark.parametrize` on every test of 20,000 modules would otherwise
 * be as many strings, kept as long as their models). Callees are few; past a bound the table starts over.
 */
const callees = new Map<string, string>();
function internCallee(name: string | null): string | null {
  if (name === null) return null;
  const hit = callees.get(name);
  if (hit !== undefined) return hit;
  if (callees.size >= 4096) callees.clear();
  callees.set(name, name);
  return name;
}

function call(n: TsNode): Call {
  if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    const argList = n.childForFieldName('arguments');
    const callee = internCallee(dotted(fn));
    const items: Argument[] = [];
    if (argList && argList.type === 'argument_list' && wantsArguments(callee)) {
      for (const a of argList.namedChildren) {
        if (!a || a.type === 'comment') continue;
        const isKw = a.type === 'keyword_argument';
        const value = isKw ? a.childForFieldName('value')! : a;
        const lit = value ? stringLiteral(value) : null;
        items.push({
          start: a.startIndex,
          end: a.endIndex,
          name: isKw ? (a.childForFieldName('name')?.text ?? null) : null,
          value: range(value ?? a),
          string: lit?.value ?? null,
          content: lit?.content ?? null,
          text: (value ?? a).text,
        });
      }
    }
    return {
      start: n.startIndex,
      end: n.endIndex,
      callee,
      args: argList ? { start: argList.startIndex, end: argList.endIndex, items } : null,
    };
  }
  return { start: n.startIndex, end: n.endIndex, callee: internCallee(dotted(n)), args: null };
}

function decorator(d: TsNode): Decorator {
  const expr = d.namedChildren.find((c) => c && c.type !== 'comment')!;
  return { start: d.startIndex, end: d.endIndex, call: call(expr) };
}

function functionDef(def: TsNode, decorators: TsNode[], outer: TsNode, className: string | null): FunctionDef {
  const name = def.childForFieldName('name')!;
  const params = def.childForFieldName('parameters')!;
  const out: (Range & { name: string })[] = [];
  // Parameters matter only to follow `event_loop`; skip the walk for every other function.
  const paramsOfInterest = params !== null && params.text.includes('event_loop');
  for (const p of paramsOfInterest ? params.namedChildren : []) {
    if (!p) continue;
    const id = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'));
    if (id && id.type === 'identifier') out.push({ start: p.startIndex, end: p.endIndex, name: id.text });
  }
  const paramNames: string[] = [];
  if (decorators.length > 0 && params) {
    for (const p of params.namedChildren) {
      if (!p) continue;
      const id =
        p.type === 'identifier'
          ? p
          : p.type === 'default_parameter' || p.type === 'typed_parameter' || p.type === 'typed_default_parameter'
            ? (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'))
            : null;
      if (id && id.type === 'identifier') paramNames.push(id.text);
    }
  }
  const body = def.childForFieldName('body')!;
  return {
    start: outer.startIndex,
    end: outer.endIndex,
    name: name.text,
    nameRange: range(name),
    // `async` is the definition's first token when present (reading every child would marshal them all).
    async: def.child(0)?.type === 'async',
    decorators: decorators.map(decorator),
    params: out,
    paramList: params ? range(params) : range(def),
    paramNames,
    body: body ? range(body) : range(def),
    className,
  };
}

function assignment(stmt: TsNode, className: string | null): Assignment | null {
  const a = stmt.namedChildren[0];
  if (!a || a.type !== 'assignment') return null;
  const left = a.childForFieldName('left');
  const right = a.childForFieldName('right');
  if (!left || left.type !== 'identifier' || !right) return null;
  const elements =
    right.type === 'list' || right.type === 'tuple' ? right.namedChildren.filter((c): c is TsNode => !!c && c.type !== 'comment') : [right];
  return { start: stmt.startIndex, end: stmt.endIndex, target: left.text, className, values: elements.map(call) };
}

function imports(stmt: TsNode): Import[] {
  const out: Import[] = [];
  if (stmt.type === 'import_statement') {
    for (const n of stmt.namedChildren) {
      if (!n) continue;
      if (n.type === 'dotted_name')
        out.push({ start: stmt.startIndex, end: stmt.endIndex, module: n.text, name: null, alias: n.text.split('.')[0]! });
      else if (n.type === 'aliased_import') {
        out.push({
          start: stmt.startIndex,
          end: stmt.endIndex,
          module: n.childForFieldName('name')!.text,
          name: null,
          alias: n.childForFieldName('alias')!.text,
        });
      }
    }
  } else if (stmt.type === 'import_from_statement') {
    const module = stmt.childForFieldName('module_name')?.text ?? '';
    for (const n of stmt.childrenForFieldName('name')) {
      if (!n) continue;
      if (n.type === 'dotted_name') out.push({ start: stmt.startIndex, end: stmt.endIndex, module, name: n.text, alias: n.text });
      else if (n.type === 'aliased_import') {
        out.push({
          start: stmt.startIndex,
          end: stmt.endIndex,
          module,
          name: n.childForFieldName('name')!.text,
          alias: n.childForFieldName('alias')!.text,
        });
      }
    }
  }
  return out;
}

function collectErrors(root: TsNode, out: Range[]): void {
  if (!root.hasError) return;
  const cursor = root.walk();
  const visit = (): void => {
    const n = cursor.currentNode;
    if (n.isError || n.isMissing) {
      out.push(range(n));
      return;
    }
    if (!n.hasError) return;
    if (cursor.gotoFirstChild()) {
      do visit();
      while (cursor.gotoNextSibling());
      cursor.gotoParent();
    }
  };
  visit();
  cursor.delete();
}

/** The first syntax error of a Python text (1-based line and column), or null: a parse without the model. */
export async function pythonSyntaxError(text: string, python?: string | null): Promise<PythonModule['syntaxError']> {
  const p = await parser();
  const tree = p.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    if (!tree.rootNode.hasError) return null;
    const errorRanges: Range[] = [];
    collectErrors(tree.rootNode, errorRanges);
    return syntaxErrorOf(text, errorRanges, python);
  } finally {
    tree.delete();
  }
}

/**
 * The syntax error of a module, as CPython sees it: tree-sitter's errors are only a hint (it reports valid
 * Python as broken where a line inside brackets is dedented), so `ast.parse` decides; without python3 the
 * tree-sitter position stands, said so.
 */
function syntaxErrorOf(text: string, errorRanges: readonly Range[], python?: string | null): PythonModule['syntaxError'] {
  if (errorRanges.length === 0) return null;
  const verdict = cpythonVerdict(text, python);
  if (verdict === null) {
    const at = errorRanges[0]!.start;
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    return {
      line,
      column: at - (before.lastIndexOf('\n') + 1) + 1,
      detail: 'reported by tree-sitter; no python3 found to confirm it with ast.parse',
    };
  }
  return verdict.ok ? null : { line: verdict.line, column: verdict.column, detail: verdict.message };
}

/** `python`: the project's interpreter, which decides whether a text tree-sitter doubts is valid (see cpython.ts). */
export async function parsePython(text: string, python?: string | null): Promise<PythonModule> {
  const p = await parser();
  const tree = p.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const root = tree.rootNode;
    const functions: FunctionDef[] = [];
    const assignments: Assignment[] = [];
    const classDecorators: Decorator[] = [];
    const allImports: Import[] = [];
    const uses = new Map<number, (Range & { nested: boolean })[]>();
    let importsEnd = 0;
    const visitBlock = (block: TsNode, className: string | null, topLevel: boolean) => {
      for (const stmt of block.namedChildren) {
        if (!stmt) continue;
        let def: TsNode | null = null;
        let decorators: TsNode[] = [];
        if (stmt.type === 'decorated_definition') {
          def = stmt.childForFieldName('definition');
          decorators = stmt.namedChildren.filter((c): c is TsNode => !!c && c.type === 'decorator');
        } else if (stmt.type === 'function_definition' || stmt.type === 'class_definition') def = stmt;
        if (def?.type === 'function_definition') {
          const fn = functionDef(def, decorators, stmt, className);
          functions.push(fn);
          // Walking every body would cost the whole tree; only event_loop's users need it.
          if (fn.params.some((p) => p.name === EVENT_LOOP))
            uses.set(fn.start, identifiersIn(text, def.childForFieldName('body'), EVENT_LOOP));
        } else if (def?.type === 'class_definition') {
          for (const d of decorators) classDecorators.push(decorator(d));
          const body = def.childForFieldName('body');
          if (body) visitBlock(body, def.childForFieldName('name')?.text ?? null, false);
        } else if (stmt.type === 'expression_statement') {
          const a = assignment(stmt, className);
          if (a) assignments.push(a);
        } else if (topLevel && (stmt.type === 'import_statement' || stmt.type === 'import_from_statement')) {
          allImports.push(...imports(stmt));
          importsEnd = Math.max(importsEnd, stmt.endIndex);
        } else if (topLevel && stmt.type === 'future_import_statement') {
          importsEnd = Math.max(importsEnd, stmt.endIndex);
        }
      }
    };
    visitBlock(root, null, true);
    const errorRanges: Range[] = [];
    collectErrors(root, errorRanges);
    const syntaxError: PythonModule['syntaxError'] = syntaxErrorOf(text, errorRanges, python);
    return {
      text,
      functions,
      assignments,
      classDecorators,
      imports: allImports,
      importsEnd,
      syntaxError,
      errorRanges,
      eventLoopUses: usesOf(uses),
    };
  } finally {
    tree.delete();
  }
}

/**
 * The lookup of event_loop uses, made outside parsePython: a closure made inside it would keep the whole
 * parse's scope alive (every function and assignment), however little of the model a caller keeps.
 */
function usesOf(uses: ReadonlyMap<number, (Range & { nested: boolean })[]>): PythonModule['eventLoopUses'] {
  return (fn) => uses.get(fn.start) ?? [];
}

/** Run `read` over the parsed tree, deleted afterwards: for the static readers beside this module (python-static.ts). */
export async function withPythonTree<T>(text: string, read: (root: TsNode) => T): Promise<T> {
  const p = await parser();
  const tree = p.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return read(tree.rootNode);
  } finally {
    tree.delete();
  }
}

export type { TsNode as PythonNode };

const EVENT_LOOP = 'event_loop';

/**
 * Uses of one identifier in a subtree (not attribute names after a dot, not keyword-argument names). Only
 * subtrees whose text holds the name are entered, read from the cursor without making a node: a long body
 * costs a scan of its text, not a node per token.
 */
function identifiersIn(text: string, node: TsNode | null, name: string): (Range & { nested: boolean })[] {
  const out: (Range & { nested: boolean })[] = [];
  if (!node) return out;
  let depth = 0;
  const cursor = node.walk();
  const holdsName = (): boolean => {
    const at = text.indexOf(name, cursor.startIndex);
    return at >= 0 && at + name.length <= cursor.endIndex;
  };
  const visit = (): void => {
    const type = cursor.nodeType;
    if (type === 'identifier' && cursor.endIndex - cursor.startIndex === name.length) {
      const n = cursor.currentNode;
      const parent = n.parent;
      const isAttrName = parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === n.id;
      const isKwName = parent?.type === 'keyword_argument' && parent.childForFieldName('name')?.id === n.id;
      if (!isAttrName && !isKwName) out.push({ start: n.startIndex, end: n.endIndex, nested: depth > 0 });
    }
    const inner = type === 'function_definition' || type === 'lambda';
    if (cursor.gotoFirstChild()) {
      if (inner) depth++;
      do if (holdsName()) visit();
      while (cursor.gotoNextSibling());
      cursor.gotoParent();
      if (inner) depth--;
    }
  };
  if (holdsName()) visit();
  cursor.delete();
  return out;
}
