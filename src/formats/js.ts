/**
 * JavaScript/TypeScript configs, read statically through the TypeScript 6 compiler API that ts-morph
 * bundles (its `ts` export; `typescript@latest` is the native 7.x port with no JS API). Loaded on first use
 * through `createRequire` (an ESM `import()` of these CommonJS packages is slower): a run that touches only
 * Python configs never pays its ~200 ms and ~60 MB.
 *
 * A config is code, so it is never imported or run. `readConfigValue` follows what can be known without
 * running it: `export default` / `module.exports`, `defineConfig(...)`/`defineProject(...)` and their
 * function form returning an object, `mergeConfig(a, b)`, top-level consts, object and array spreads,
 * `as`/`satisfies`, and default imports of relative files (read, not imported). Everything else (a call, an
 * env lookup, a conditional) is a `computed` value, and an object whose keys depend on one (a spread of a
 * computed value, a computed key) is `opaque`: a rule must not claim a key is missing from it.
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { ts as TS } from 'ts-morph';
import { FileProblemError } from '../core/diagnostic.js';
import { KNOWN_MODULES, NEXT_JEST_KEYS, NEXT_JEST_MODULES, presetFactoryKeys, presetObjectKeys } from './js-known.js';
import { LineIndex, TOO_DEEP_MESSAGE, tooDeepAt } from '../core/text.js';
import { requireWithCodeCache } from '../core/code-cache.js';
import { parseLight } from './js-light.js';

const require = createRequire(import.meta.url);
let tsModule: typeof TS | undefined;

/**
 * The TypeScript API, loaded on first use: the compiler file inside @ts-morph/common (ts-morph's `ts` export
 * is this module), required directly, since nothing here needs the rest of ts-morph (~150 ms more to load).
 */
export function typescript(): typeof TS {
  tsModule ??= requireWithCodeCache(
    createRequire(require.resolve('ts-morph')),
    '@ts-morph/common/dist/typescript.js',
    /[\\/]@ts-morph[\\/]common[\\/]dist[\\/]typescript\.js$/,
  ) as typeof TS;
  return tsModule;
}

/**
 * The part of the TypeScript API the reader below asks its questions through. TypeScript's own answers for
 * a tree it parsed; js-light.ts answers for the subset it parses without loading the compiler.
 */
export type SyntaxApi = Pick<
  typeof TS,
  | 'SyntaxKind'
  | 'NodeFlags'
  | 'ModifierFlags'
  | 'getCombinedModifierFlags'
  | 'isArrayLiteralExpression'
  | 'isArrowFunction'
  | 'isAsExpression'
  | 'isAwaitExpression'
  | 'isBinaryExpression'
  | 'isBlock'
  | 'isCallExpression'
  | 'isExportAssignment'
  | 'isExpressionStatement'
  | 'isFunctionExpression'
  | 'isIdentifier'
  | 'isImportDeclaration'
  | 'isNamespaceImport'
  | 'isNoSubstitutionTemplateLiteral'
  | 'isNonNullExpression'
  | 'isNumericLiteral'
  | 'isObjectBindingPattern'
  | 'isObjectLiteralExpression'
  | 'isOmittedExpression'
  | 'isParenthesizedExpression'
  | 'isPrefixUnaryExpression'
  | 'isPrivateIdentifier'
  | 'isPropertyAccessExpression'
  | 'isPropertyAssignment'
  | 'isReturnStatement'
  | 'isSatisfiesExpression'
  | 'isShorthandPropertyAssignment'
  | 'isSpreadAssignment'
  | 'isSpreadElement'
  | 'isStringLiteral'
  | 'isTypeAssertionExpression'
  | 'isVariableStatement'
>;

export interface Span {
  file: string;
  start: number;
  end: number;
}

/** An object literal as written: where members go and how its members are laid out. */
export interface ObjectLiteral extends Span {
  /** Every member as written (properties, spreads, methods), in order, with its trailing comma if any. */
  members: (Span & { comma: number | null })[];
  /** Not an object literal but a known helper's call (`createDefaultPreset()`): nothing can be inserted into it. */
  readOnly?: true;
}

/** An array literal as written. */
export interface ArrayLiteral extends Span {
  elements: (Span & { comma: number | null })[];
}

export type JsValue =
  | (Span & { kind: 'string'; value: string; quote: string })
  | (Span & { kind: 'number'; value: number })
  | (Span & { kind: 'boolean'; value: boolean })
  | (Span & { kind: 'null' })
  | JsObject
  | JsArray
  | (Span & { kind: 'function'; async: boolean })
  | (Span & { kind: 'computed'; text: string });

export interface JsProperty extends Span {
  key: string;
  keySpan: Span;
  value: JsValue;
  /** Written in the object itself, not brought in by a spread or a merged config. */
  own: boolean;
  /** Inherited from a Jest preset for a list Jest concatenates: the config's own key adds to it, not replaces it. */
  concatenated?: true;
}

export interface JsObject extends Span {
  kind: 'object';
  /** Effective properties, later ones winning (as spreads and mergeConfig do), in written order. */
  properties: JsProperty[];
  /** The literal new properties go into (the last one written, for a merge). */
  literal: ObjectLiteral;
  /** Where a value computed at run time may add keys (a spread of a call, a computed key), if anywhere. */
  opaque: Span | null;
}

export interface JsArray extends Span {
  kind: 'array';
  items: JsValue[];
  literal: ArrayLiteral;
  /** Where a computed spread may add items, if anywhere. */
  opaque: Span | null;
}

export function property(obj: JsObject, key: string): JsProperty | undefined {
  for (let i = obj.properties.length - 1; i >= 0; i--) if (obj.properties[i]!.key === key) return obj.properties[i];
  return undefined;
}

/** A path of keys through nested objects (`['test', 'poolOptions']`). */
export function propertyAt(obj: JsObject, path: readonly string[]): JsProperty | undefined {
  let current: JsObject = obj;
  let found: JsProperty | undefined;
  for (const key of path) {
    found = property(current, key);
    if (!found) return undefined;
    if (found.value.kind !== 'object') return path[path.length - 1] === key ? found : undefined;
    current = found.value;
  }
  return found;
}

export interface ParsedJs {
  file: string;
  text: string;
  source: TS.SourceFile;
  /** A JSON document (its one expression is the value). */
  json: boolean;
  /** How the reader asks about `source`'s nodes: TypeScript's API, or js-light.ts's for a tree it parsed. */
  syntax: SyntaxApi;
}

const SCRIPT_KINDS: Record<string, keyof typeof TS.ScriptKind> = {
  js: 'JS',
  cjs: 'JS',
  mjs: 'JS',
  jsx: 'JSX',
  ts: 'TS',
  cts: 'TS',
  mts: 'TS',
  tsx: 'TSX',
  json: 'JSON',
};

/**
 * Parse one file; a syntax error is a FileProblem naming its line (TypeScript's parser recovers, so the
 * tree is always there, but a fix must never be written on top of code the runner could not load).
 */
export function parseJs(file: string, text: string): ParsedJs {
  refuseDeepNesting(file, text);
  return withinStack(file, () => parseWithTypeScript(file, text));
}

/**
 * Brackets nested more than MAX_NESTING deep: one `file:line:col` error at the bracket that goes too deep,
 * before a recursive parser or reader exhausts the stack on them.
 */
function refuseDeepNesting(file: string, text: string): void {
  const at = tooDeepAt(text);
  if (at === null) return;
  const { line, column } = new LineIndex(text).position(at);
  throw new FileProblemError({ file, line, column, message: TOO_DEEP_MESSAGE });
}

/** Any other shape that exhausts the stack (a chain of thousands of arrows, say) is the same error, at the file. */
function withinStack<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message))
      throw new FileProblemError({ file, line: 1, column: 1, message: TOO_DEEP_MESSAGE });
    throw e;
  }
}

function parseWithTypeScript(file: string, text: string): ParsedJs {
  const ts = typescript();
  const ext = /\.([a-z]+)$/.exec(file)?.[1] ?? 'js';
  const kind = ts.ScriptKind[SCRIPT_KINDS[ext] ?? 'JS'];
  const source =
    kind === ts.ScriptKind.JSON
      ? (ts.parseJsonText(file, text) as TS.SourceFile)
      : ts.createSourceFile(file, text, ts.ScriptTarget.Latest, /* setParentNodes */ true, kind);
  const diagnostics = (source as unknown as { parseDiagnostics?: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const first = diagnostics[0];
  if (first) {
    const at = new LineIndex(text).position(first.start);
    throw new FileProblemError({
      file,
      line: at.line,
      column: at.column,
      message: `${kind === ts.ScriptKind.JSON ? 'JSON' : 'JavaScript/TypeScript'} syntax error: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}`,
    });
  }
  return { file, text, source, json: kind === ts.ScriptKind.JSON, syntax: ts };
}

/**
 * Parse a config to read its value (`readConfigValue`): through js-light.ts when the file is in the subset
 * it reads (the compiler is not loaded), else through TypeScript (`parseJs`), which reports syntax errors.
 */
export function parseConfigJs(file: string, text: string): ParsedJs {
  refuseDeepNesting(file, text);
  return withinStack(file, () => parseLight(file, text) ?? parseWithTypeScript(file, text));
}

/** Plain data (what a package documents it exports), turned into a JsValue where it is referenced. */
export type PlainData = string | number | boolean | null | PlainData[] | { [key: string]: PlainData };

/** Plain data as a value located at `at` (the reference to it): nothing in it is written in the config. */
export function plainValue(data: PlainData, at: Span): JsValue {
  if (data === null) return { kind: 'null', ...at };
  if (typeof data === 'string') return { kind: 'string', value: data, quote: "'", ...at };
  if (typeof data === 'number') return { kind: 'number', value: data, ...at };
  if (typeof data === 'boolean') return { kind: 'boolean', value: data, ...at };
  if (Array.isArray(data))
    return { kind: 'array', items: data.map((d) => plainValue(d, at)), literal: { ...at, elements: [] }, opaque: null, ...at };
  const properties = Object.entries(data).map(([key, d]): JsProperty => ({
    key,
    keySpan: at,
    value: plainValue(d, at),
    own: false,
    ...at,
  }));
  return { kind: 'object', properties, literal: { ...at, members: [] }, opaque: null, ...at };
}

/** Reads the files a config imports from (relative default imports); null when unreadable. */
export type ReadSource = (file: string) => ParsedJs | null;

const MAX_IMPORT_DEPTH = 4;
const CONFIG_WRAPPERS = new Set(['defineConfig', 'defineProject', 'defineWorkspace', 'defineJestConfig']);

class Reader {
  /** Names bound in scope: their initializer, or null for a binding whose value is not known (a destructured name). */
  private readonly consts = new Map<string, TS.Expression | null>();
  private readonly imports = new Map<string, string>();
  /** Names bound to a well-known helper module or one of its exports (js-known.ts); `default` is the module itself. */
  private readonly modules = new Map<string, ModuleBinding>();
  private readonly resolving = new Set<string>();

  constructor(
    private readonly ts: SyntaxApi,
    private readonly parsed: ParsedJs,
    private readonly readSource: ReadSource,
    private readonly depth: number,
  ) {
    for (const statement of parsed.source.statements) {
      if (ts.isVariableStatement(statement)) {
        for (const d of statement.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.initializer) this.consts.set(d.name.text, d.initializer);
          else if (ts.isObjectBindingPattern(d.name) && d.initializer) {
            // `const { createDefaultPreset } = require('ts-jest')`
            const from = requiredModule(ts, d.initializer);
            if (from === null) continue;
            for (const el of d.name.elements) {
              if (!ts.isIdentifier(el.name) || el.dotDotDotToken) continue;
              const member =
                el.propertyName && (ts.isIdentifier(el.propertyName) || ts.isStringLiteral(el.propertyName))
                  ? el.propertyName.text
                  : el.name.text;
              this.modules.set(el.name.text, { module: from, member });
            }
          }
        }
      } else if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        const clause = statement.importClause;
        const name = clause?.name?.text;
        const from = statement.moduleSpecifier.text;
        if (name && !clause?.isTypeOnly && from.startsWith('.')) this.imports.set(name, from);
        if (clause && !clause.isTypeOnly && KNOWN_MODULES.has(from)) {
          if (name) this.modules.set(name, { module: from, member: 'default' });
          const bindings = clause.namedBindings;
          if (bindings && ts.isNamespaceImport(bindings)) this.modules.set(bindings.name.text, { module: from, member: '*' });
          else if (bindings)
            for (const el of bindings.elements)
              if (!el.isTypeOnly) this.modules.set(el.name.text, { module: from, member: (el.propertyName ?? el.name).text });
        }
      }
    }
  }

  private span(node: TS.Node): Span {
    return { file: this.parsed.file, start: node.getStart(this.parsed.source), end: node.getEnd() };
  }

  private computed(node: TS.Node): JsValue {
    return { kind: 'computed', text: node.getText(this.parsed.source), ...this.span(node) };
  }

  /**
   * The exported config expression: `export default X`, `module.exports = X`, or a JSON document. A config
   * exported as a function (Jest calls it, sync or async) is the object it returns, when its body is one return.
   */
  exported(): TS.Expression | null {
    const found = this.exportedExpression();
    if (!found) return null;
    const e = unwrap(this.ts, found);
    if (this.ts.isArrowFunction(e) || this.ts.isFunctionExpression(e)) {
      const body = straightLineBody(this.ts, e);
      if (!body) return found;
      // The export is the one value read from this file: the function's own consts shadow the file's for good.
      for (const [name, init] of body.locals) this.consts.set(name, init);
      return body.returned;
    }
    return found;
  }

  /** The value a straight-line function returns, its own consts in scope while it is read. */
  private returnedValue(fn: TS.ArrowFunction | TS.FunctionExpression, whole: TS.Expression): JsValue {
    const body = straightLineBody(this.ts, fn);
    if (!body) return this.computed(whole);
    const saved = new Map([...body.locals.keys()].filter((k) => this.consts.has(k)).map((k) => [k, this.consts.get(k)!] as const));
    for (const [name, init] of body.locals) this.consts.set(name, init);
    try {
      return this.value(body.returned);
    } finally {
      for (const name of body.locals.keys()) {
        if (saved.has(name)) this.consts.set(name, saved.get(name)!);
        else this.consts.delete(name);
      }
    }
  }

  private exportedExpression(): TS.Expression | null {
    const { ts } = this;
    let found: TS.Expression | null = null;
    for (const statement of this.parsed.source.statements) {
      if (ts.isExportAssignment(statement)) found = statement.expression;
      else if (ts.isExpressionStatement(statement)) {
        const e = statement.expression;
        if (
          ts.isBinaryExpression(e) &&
          e.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
          e.left.getText(this.parsed.source) === 'module.exports'
        )
          found = e.right;
        else if (this.parsed.json) found = e;
      }
    }
    return found;
  }

  value(node: TS.Expression): JsValue {
    const { ts } = this;
    const e = unwrap(ts, node);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
      return { kind: 'string', value: e.text, quote: e.getText(this.parsed.source)[0]!, ...this.span(e) };
    }
    if (ts.isNumericLiteral(e)) return { kind: 'number', value: Number(e.text), ...this.span(e) };
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) {
      return { kind: 'number', value: -Number(e.operand.text), ...this.span(e) };
    }
    if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword)
      return { kind: 'boolean', value: e.kind === ts.SyntaxKind.TrueKeyword, ...this.span(e) };
    if (e.kind === ts.SyntaxKind.NullKeyword) return { kind: 'null', ...this.span(e) };
    if (ts.isObjectLiteralExpression(e)) return this.object(e);
    if (ts.isArrayLiteralExpression(e)) return this.array(e);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
      return { kind: 'function', async: (ts.getCombinedModifierFlags(e) & ts.ModifierFlags.Async) !== 0, ...this.span(e) };
    }
    if (ts.isIdentifier(e)) return this.identifier(e);
    if (ts.isCallExpression(e)) return this.call(e);
    // `await createJestConfig(config)()`: the awaited value is read as the value.
    if (ts.isAwaitExpression(e)) return this.value(e.expression);
    if (ts.isPropertyAccessExpression(e)) return this.member(e);
    return this.computed(e);
  }

  /** The module export an expression names, if it is a well-known helper's (an import, a require, a member of one). */
  private binding(node: TS.Expression, depth = 0): ModuleBinding | null {
    const { ts } = this;
    const e = unwrap(ts, node);
    if (depth > 8) return null;
    if (ts.isIdentifier(e)) {
      const bound = this.modules.get(e.text);
      if (bound) return bound;
      const init = this.consts.get(e.text);
      return init ? this.binding(init, depth + 1) : null;
    }
    const required = requiredModule(ts, e);
    if (required !== null) return { module: required, member: 'default' };
    if (ts.isPropertyAccessExpression(e)) {
      const of = this.binding(e.expression, depth + 1);
      if (!of || (of.member !== 'default' && of.member !== '*')) return null;
      return { module: of.module, member: e.name.text === 'default' ? 'default' : e.name.text };
    }
    return null;
  }

  /** A well-known helper's result: its documented keys, each computed at run time (the call is their span). */
  private helperObject(keys: readonly string[], node: TS.Node): JsObject {
    const span = this.span(node);
    const value = this.computed(node);
    return {
      kind: 'object',
      properties: keys.map((key) => ({ key, keySpan: span, value, own: false, ...span })),
      literal: { ...span, members: [], readOnly: true },
      opaque: null,
      ...span,
    };
  }

  /** `a.b`: a known preset object, or a property of an object known here (`c.projects`). */
  private member(e: TS.PropertyAccessExpression): JsValue {
    const bound = this.binding(e);
    const keys = bound ? presetObjectKeys(bound.module, bound.member) : null;
    if (keys) return this.helperObject(keys, e);
    const of = this.value(e.expression);
    if (of.kind === 'object') {
      const found = property(of, e.name.text);
      if (found) return found.value;
    }
    return this.computed(e);
  }

  /**
   * next/jest: the config object `createJestConfig(config)` wraps, when `e` is that call (`createJestConfig` a
   * const holding `nextJest(opts)`, or `nextJest(opts)(config)` directly), or the call of its result
   * (`createJestConfig(config)()`, as an async wrapper awaits it).
   */
  private nextJestConfig(e: TS.CallExpression): TS.Expression | null {
    const { ts } = this;
    const callee = unwrap(ts, e.expression);
    if (e.arguments.length === 0 && ts.isCallExpression(callee)) return this.nextJestConfig(callee);
    // `const asyncConfig = createJestConfig(config)` called later as `asyncConfig()`.
    if (e.arguments.length === 0 && ts.isIdentifier(callee)) {
      const init = this.consts.get(callee.text);
      const call = init ? unwrap(ts, init) : undefined;
      return call && ts.isCallExpression(call) ? this.nextJestConfig(call) : null;
    }
    if (e.arguments.length !== 1) return null;
    let factory: TS.Expression | undefined = callee;
    if (ts.isIdentifier(callee) && !this.modules.has(callee.text)) factory = this.consts.get(callee.text) ?? undefined;
    factory = factory && unwrap(ts, factory);
    if (!factory || !ts.isCallExpression(factory)) return null;
    const bound = this.binding(factory.expression);
    return bound && NEXT_JEST_MODULES.has(bound.module) && bound.member === 'default' ? e.arguments[0]! : null;
  }

  /** The user's config with the keys next/jest adds (computed: it merges its own entries into them). */
  private nextJestValue(e: TS.CallExpression, config: TS.Expression): JsValue {
    const { ts } = this;
    const arg = unwrap(ts, config);
    const base = ts.isArrowFunction(arg) || ts.isFunctionExpression(arg) ? this.returnedValue(arg, e) : this.value(arg);
    if (base.kind !== 'object') return this.computed(e);
    const added = this.helperObject(
      NEXT_JEST_KEYS.filter((k) => !property(base, k)),
      e,
    );
    return { ...base, properties: [...base.properties, ...added.properties] };
  }

  private identifier(e: TS.Identifier): JsValue {
    const name = e.text;
    if (this.resolving.has(name)) return this.computed(e);
    const bound = this.modules.get(name);
    const presetKeys = bound ? presetObjectKeys(bound.module, bound.member) : null;
    if (presetKeys) return this.helperObject(presetKeys, e);
    if (this.consts.get(name) === null) return this.computed(e);
    const init = this.consts.get(name);
    if (init) {
      this.resolving.add(name);
      try {
        return this.value(init);
      } finally {
        this.resolving.delete(name);
      }
    }
    const from = this.imports.get(name);
    if (from !== undefined && this.depth < MAX_IMPORT_DEPTH) {
      const imported = readImported(resolve(dirname(this.parsed.file), from), this.readSource, this.depth + 1);
      if (imported) return imported;
    }
    return this.computed(e);
  }

  private call(e: TS.CallExpression): JsValue {
    const { ts } = this;
    const callee = ts.isIdentifier(e.expression)
      ? e.expression.text
      : ts.isPropertyAccessExpression(e.expression)
        ? e.expression.name.text
        : '';
    if (CONFIG_WRAPPERS.has(callee) && e.arguments.length === 1) {
      const arg = unwrap(ts, e.arguments[0]!);
      if (ts.isArrowFunction(arg) || ts.isFunctionExpression(arg)) return this.returnedValue(arg, e);
      return this.value(arg);
    }
    // `require('./jest.base.config')`: the file is read (never run), as a relative default import is.
    if (ts.isIdentifier(e.expression) && callee === 'require' && e.arguments.length === 1 && this.depth < MAX_IMPORT_DEPTH) {
      const arg = e.arguments[0]!;
      if (ts.isStringLiteral(arg) && arg.text.startsWith('.')) {
        const imported = readImported(resolve(dirname(this.parsed.file), arg.text), this.readSource, this.depth + 1);
        if (imported) return imported;
      }
    }
    const wrapped = this.nextJestConfig(e);
    if (wrapped) return this.nextJestValue(e, wrapped);
    const helper = this.binding(e.expression);
    const presetKeys = helper ? presetFactoryKeys(helper.module, helper.member) : null;
    if (presetKeys) return this.helperObject(presetKeys, e);
    // `list.map((p) => ...)` of a list known here: as many items, each computed (the mapping runs at run time).
    if (ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'map' && e.arguments.length >= 1) {
      const list = this.value(e.expression.expression);
      // An item already computed keeps its own text (`createProject('auth')`), so messages still name it.
      if (list.kind === 'array')
        return { ...list, items: list.items.map((item) => (item.kind === 'computed' ? item : this.computed(e))), ...this.span(e) };
    }
    if (callee === 'mergeConfig' && e.arguments.length >= 2) {
      let merged = this.value(e.arguments[0]!);
      for (const arg of e.arguments.slice(1)) merged = mergeValues(merged, this.value(arg));
      return merged;
    }
    return this.computed(e);
  }

  private object(e: TS.ObjectLiteralExpression): JsObject {
    const { ts } = this;
    // By key, in order: a key written again (or spread in again) moves to the end with its new value. A Map keeps
    // this linear in the number of keys (a `moduleNameMapper` of 80,000 keys was quadratic with a list search).
    const byKey = new Map<string, JsProperty>();
    let opaque: Span | null = null;
    const add = (p: JsProperty) => {
      if (byKey.has(p.key)) byKey.delete(p.key);
      byKey.set(p.key, p);
    };
    for (const member of e.properties) {
      if (ts.isSpreadAssignment(member)) {
        const spread = this.value(member.expression);
        if (spread.kind === 'object') {
          for (const p of spread.properties) add({ ...p, own: false });
          opaque ??= spread.opaque;
        } else opaque ??= this.span(member);
        continue;
      }
      const key = member.name ? propertyName(ts, member.name) : null;
      if (key === null) {
        opaque ??= this.span(member);
        continue;
      }
      let value: JsValue;
      if (ts.isPropertyAssignment(member)) value = this.value(member.initializer);
      else if (ts.isShorthandPropertyAssignment(member)) value = this.identifier(member.name);
      else value = this.computed(member);
      add({ key, keySpan: this.span(member.name), value, own: true, ...this.span(member) });
    }
    return {
      kind: 'object',
      properties: [...byKey.values()],
      literal: { ...this.span(e), members: this.members(e.properties, e.getEnd() - 1) },
      opaque,
      ...this.span(e),
    };
  }

  private array(e: TS.ArrayLiteralExpression): JsArray {
    const { ts } = this;
    const items: JsValue[] = [];
    let opaque: Span | null = null;
    for (const element of e.elements) {
      if (ts.isSpreadElement(element)) {
        const spread = this.value(element.expression);
        if (spread.kind === 'array') {
          items.push(...spread.items);
          opaque ??= spread.opaque;
        } else opaque ??= this.span(element);
      } else if (element.kind !== ts.SyntaxKind.OmittedExpression) items.push(this.value(element));
    }
    return {
      kind: 'array',
      items,
      literal: { ...this.span(e), elements: this.members(e.elements, e.getEnd() - 1) },
      opaque,
      ...this.span(e),
    };
  }

  private members(nodes: TS.NodeArray<TS.Node>, close: number): (Span & { comma: number | null })[] {
    return nodes.map((n, i) => {
      const span = this.span(n);
      // The separator after a member: the first comma before the next member (or the closing bracket).
      const limit = i + 1 < nodes.length ? nodes[i + 1]!.getStart(this.parsed.source) : close;
      return { ...span, comma: commaAt(this.parsed.text, span.end, limit) };
    });
  }
}

interface ModuleBinding {
  module: string;
  /** The export: `default` for the module itself (CommonJS `require`), `*` for a namespace import. */
  member: string;
}

/** `require('m')` of a well-known helper module: `m`; null for anything else. */
function requiredModule(ts: SyntaxApi, node: TS.Expression): string | null {
  const e = unwrap(ts, node);
  if (!ts.isCallExpression(e) || !ts.isIdentifier(e.expression) || e.expression.text !== 'require' || e.arguments.length !== 1) return null;
  const arg = e.arguments[0]!;
  return ts.isStringLiteral(arg) && KNOWN_MODULES.has(arg.text) ? arg.text : null;
}

/** The comma between `from` and `limit`, skipping comments; null if there is none. */
export function commaAt(text: string, from: number, limit: number): number | null {
  let i = from;
  while (i < limit) {
    const c = text[i]!;
    if (c === ',') return i;
    if (c === '/' && text[i + 1] === '/') {
      while (i < limit && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? limit : end + 2;
    } else i++;
  }
  return null;
}

function unwrap(ts: SyntaxApi, node: TS.Expression): TS.Expression {
  let e = node;
  for (;;) {
    if (
      ts.isParenthesizedExpression(e) ||
      ts.isAsExpression(e) ||
      ts.isSatisfiesExpression(e) ||
      ts.isNonNullExpression(e) ||
      ts.isTypeAssertionExpression(e)
    )
      e = e.expression;
    else return e;
  }
}

/**
 * A function body read as the top level is: `const` declarations, then one `return`. Its consts (a
 * destructured name as unknown) and the returned expression; null for any other statement (an `if`, a
 * loop, a call for its effect), which may decide what is returned. Parameters stay unknown (computed).
 */
function straightLineBody(
  ts: SyntaxApi,
  fn: TS.ArrowFunction | TS.FunctionExpression,
): { locals: Map<string, TS.Expression | null>; returned: TS.Expression } | null {
  const locals = new Map<string, TS.Expression | null>();
  const unknown = (name: TS.BindingName) => {
    for (const n of boundNames(ts, name)) locals.set(n, null);
  };
  for (const p of fn.parameters) unknown(p.name);
  if (!ts.isBlock(fn.body)) return { locals, returned: fn.body };
  const statements = fn.body.statements;
  const last = statements[statements.length - 1];
  if (!last || !ts.isReturnStatement(last) || !last.expression) return null;
  for (const statement of statements.slice(0, -1)) {
    if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) return null;
    for (const d of statement.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer) locals.set(d.name.text, d.initializer);
      else unknown(d.name);
    }
  }
  return { locals, returned: last.expression };
}

function boundNames(ts: SyntaxApi, name: TS.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : boundNames(ts, el.name)));
}

function propertyName(ts: SyntaxApi, name: TS.PropertyName): string | null {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name))
    return name.text;
  if (ts.isPrivateIdentifier(name)) return null;
  return null;
}

/** Vite's mergeConfig: objects merge key by key (deeply), arrays concatenate, anything else is replaced. */
function mergeValues(base: JsValue, over: JsValue): JsValue {
  if (base.kind === 'object' && over.kind === 'object') {
    // By key (linear in the keys): a key of `over` already in `base` merges and moves to the end.
    const byKey = new Map(base.properties.map((p) => [p.key, p] as const));
    for (const p of over.properties) {
      const before = byKey.get(p.key);
      if (before === undefined) byKey.set(p.key, p);
      else {
        byKey.delete(p.key);
        byKey.set(p.key, { ...p, value: mergeValues(before.value, p.value) });
      }
    }
    return { ...over, properties: [...byKey.values()], opaque: over.opaque ?? base.opaque };
  }
  if (base.kind === 'array' && over.kind === 'array')
    return { ...over, items: [...base.items, ...over.items], opaque: over.opaque ?? base.opaque };
  if (over.kind === 'computed' && base.kind === 'object') return { ...base, opaque: base.opaque ?? over };
  if (base.kind === 'computed' && over.kind === 'object') return { ...over, opaque: over.opaque ?? base };
  return over;
}

const IMPORT_EXTENSIONS = ['', '.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'];

function readImported(path: string, readSource: ReadSource, depth: number): JsValue | null {
  for (const ext of IMPORT_EXTENSIONS) {
    const parsed = readSource(path + ext);
    if (!parsed) continue;
    const reader = new Reader(parsed.syntax, parsed, readSource, depth);
    const exported = reader.exported();
    return exported ? reader.value(exported) : null;
  }
  return null;
}

/** The exported value of a config file, as far as it can be known without running it; null if it exports nothing. */
export function readConfigValue(parsed: ParsedJs, readSource: ReadSource): JsValue | null {
  return withinStack(parsed.file, () => {
    const reader = new Reader(parsed.syntax, parsed, readSource, 0);
    const exported = reader.exported();
    return exported ? reader.value(exported) : null;
  });
}

/** A value as a plain string list if every item is a string literal (and nothing is spread in at run time). */
export function stringItems(value: JsValue): string[] | null {
  if (value.kind === 'string') return [value.value];
  if (value.kind !== 'array' || value.opaque) return null;
  const out: string[] = [];
  for (const item of value.items) {
    if (item.kind !== 'string') return null;
    out.push(item.value);
  }
  return out;
}
