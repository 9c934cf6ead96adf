/**
 * JS/TS test files: the suite-wide setup they declare. Vitest `test.extend` fixtures scoped to the
 * worker or the file, and top-level `beforeAll` callbacks that hold something for the whole file. A text check comes first: a file that mentions
 * neither is not parsed (most test files).
 */
import type { ts as TS } from 'ts-morph';
import { commaAt, parseJs, typescript, type Span } from '../../formats/js.js';

export interface ScopedFixture {
  name: string;
  scope: string;
  /** The `scope: '...'` property and the options object around it. */
  scopeProperty: Span & { comma: number | null };
  options: Span & { members: (Span & { comma: number | null })[] };
  /** The `[fn, { ... }]` tuple and the fixture function in it. */
  tuple: Span;
  fixture: Span;
}

export interface SharedSetup {
  /** The `beforeAll(...)` call. */
  call: Span;
  /** What it holds for the whole file, as the message says it: "assigns `db`", "starts `server.listen()`". */
  held: string[];
}

/** Calls that start something that stays up (a server listening, a connection or pool opened, a browser launched). */
const STARTS = /^(?:listen|start|startServer|connect|open|launch|createServer|createConnection|createPool|createClient)$/;

export interface JsTestSource {
  file: string;
  text: string;
  vitest: boolean;
  fixtures: ScopedFixture[];
  setups: SharedSetup[];
}

/** Whether a test file can hold anything the source rules report (checked before parsing). */
export function mayMatterJs(text: string): boolean {
  return text.includes('beforeAll') || (text.includes('.extend') && text.includes('scope'));
}

/** One thing a `beforeAll` holds, with the outer binding it hangs on (null: none a test file could release). */
interface Held {
  text: string;
  binding: string | null;
}

/** The identifier at the root of `a.b.c` / `a[0].b`, or null. */
function rootName(ts: typeof TS, expr: TS.Expression): string | null {
  let at = expr;
  while (ts.isPropertyAccessExpression(at) || ts.isElementAccessExpression(at) || ts.isNonNullExpression(at)) at = at.expression;
  return ts.isIdentifier(at) ? at.text : null;
}

/**
 * What a `beforeAll` callback holds past its own run: outer bindings it assigns (what it built stays
 * reachable from every test) and things it starts (`server.listen()`). A callback passed by reference is
 * judged by its name (`beforeAll(server.listen)`). Resetting or configuring something holds nothing new.
 */
function heldBy(ts: typeof TS, source: TS.SourceFile, arg: TS.Expression | undefined): Held[] {
  if (!arg) return [];
  if (ts.isPropertyAccessExpression(arg) || ts.isIdentifier(arg)) {
    const name = ts.isIdentifier(arg) ? arg.text : arg.name.text;
    return STARTS.test(name)
      ? [{ text: `starts \`${arg.getText(source)}\``, binding: ts.isIdentifier(arg) ? null : rootName(ts, arg.expression) }]
      : [];
  }
  if (!ts.isArrowFunction(arg) && !ts.isFunctionExpression(arg)) return [];
  const local = new Set<string>();
  const bind = (name: TS.BindingName) => {
    if (ts.isIdentifier(name)) local.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  const declare = (node: TS.Node): void => {
    if (ts.isVariableDeclaration(node) || ts.isParameter(node)) bind(node.name);
    else if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) local.add(node.name.text);
    ts.forEachChild(node, declare);
  };
  declare(arg);
  const assigned = new Map<string, string>();
  const started = new Map<string, string | null>();
  const visit = (node: TS.Node, into: string | null): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    ) {
      // `db = ...`, `ctx.db = ...` on a binding from outside the callback.
      const root = rootName(ts, node.left);
      if (root !== null && !local.has(root)) {
        assigned.set(node.left.getText(source), root);
        // What the right side starts is held by that binding (`server = createServer()`).
        visit(node.left, into);
        visit(node.right, root);
        return;
      }
    }
    if (ts.isCallExpression(node)) {
      const callee = ts.isIdentifier(node.expression)
        ? node.expression.text
        : ts.isPropertyAccessExpression(node.expression)
          ? node.expression.name.text
          : '';
      if (STARTS.test(callee)) {
        const on = ts.isPropertyAccessExpression(node.expression) ? rootName(ts, node.expression.expression) : null;
        // Held by the binding it is assigned to (`server = http.createServer()`), else by the one it is called on.
        started.set(`${node.expression.getText(source)}()`, into ?? (on !== null && !local.has(on) ? on : null));
      }
    }
    ts.forEachChild(node, (child) => visit(child, into));
  };
  visit(arg.body, null);
  return [
    ...[...assigned].map(([text, binding]) => ({ text: `assigns \`${text}\``, binding })),
    ...[...started].map(([text, binding]) => ({ text: `starts \`${text}\``, binding })),
  ];
}

/**
 * The outer bindings a top-level `afterAll` releases: a method called on one (`await payload.destroy()`,
 * `server.close()`, or passed by reference, `afterAll(server.close)`), one set to `undefined` or `null`, or
 * one passed to a function (`await closeDb(db)`).
 */
function releasedBy(ts: typeof TS, arg: TS.Expression | undefined): Set<string> {
  const released = new Set<string>();
  if (!arg) return released;
  if (ts.isPropertyAccessExpression(arg)) {
    const root = rootName(ts, arg.expression);
    if (root !== null) released.add(root);
    return released;
  }
  if (!ts.isArrowFunction(arg) && !ts.isFunctionExpression(arg)) return released;
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node)) {
      if (ts.isPropertyAccessExpression(node.expression)) {
        const root = rootName(ts, node.expression.expression);
        if (root !== null) released.add(root);
      }
      for (const a of node.arguments) {
        const root = ts.isIdentifier(a) || ts.isPropertyAccessExpression(a) ? rootName(ts, a) : null;
        if (root !== null) released.add(root);
      }
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const value = node.right;
      const cleared =
        value.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(value) && value.text === 'undefined') || ts.isVoidExpression(value);
      const root = rootName(ts, node.left);
      if (cleared && root !== null) released.add(root);
    }
    ts.forEachChild(node, visit);
  };
  visit(arg.body);
  return released;
}

export function analyzeJsSource(file: string, text: string): JsTestSource {
  const ts = typescript();
  const parsed = parseJs(file, text);
  const source = parsed.source;
  const span = (n: TS.Node): Span => ({ file, start: n.getStart(source), end: n.getEnd() });
  const vitest = /from\s+['"]vitest['"]|require\(\s*['"]vitest['"]\s*\)/.test(text);
  const fixtures: ScopedFixture[] = [];
  const setups: SharedSetup[] = [];

  // Top-level hooks: what each `beforeAll` holds, less what an `afterAll` (before or after it) releases.
  const before: { call: TS.CallExpression; held: Held[] }[] = [];
  const released = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) continue;
    const call = statement.expression;
    if (!ts.isIdentifier(call.expression)) continue;
    if (call.expression.text === 'afterAll') for (const name of releasedBy(ts, call.arguments[0])) released.add(name);
    if (call.expression.text === 'beforeAll') before.push({ call, held: heldBy(ts, source, call.arguments[0]) });
  }
  for (const { call, held } of before) {
    const kept = held.filter((h) => h.binding === null || !released.has(h.binding));
    if (kept.length > 0) setups.push({ call: span(call), held: kept.map((h) => h.text) });
  }

  const visit = (node: TS.Node): void => {
    if (
      vitest &&
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'extend' &&
      node.arguments.length === 1 &&
      ts.isObjectLiteralExpression(node.arguments[0]!)
    ) {
      for (const member of node.arguments[0].properties) {
        if (!ts.isPropertyAssignment(member) || !ts.isArrayLiteralExpression(member.initializer)) continue;
        const [fixture, options] = member.initializer.elements;
        if (!fixture || !options || !ts.isObjectLiteralExpression(options)) continue;
        const members = options.properties.map((p, i) => {
          const next = options.properties[i + 1];
          const limit = next ? next.getStart(source) : options.getEnd() - 1;
          return { ...span(p), comma: commaAt(text, p.getEnd(), limit) };
        });
        options.properties.forEach((p, i) => {
          if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name) || p.name.text !== 'scope') return;
          if (!ts.isStringLiteral(p.initializer) && !ts.isNoSubstitutionTemplateLiteral(p.initializer)) return;
          const scope = p.initializer.text;
          if (scope !== 'worker' && scope !== 'file') return;
          fixtures.push({
            name: member.name.getText(source),
            scope,
            scopeProperty: members[i]!,
            options: { ...span(options), members },
            tuple: span(member.initializer),
            fixture: span(fixture),
          });
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { file, text, vitest, fixtures, setups };
}
