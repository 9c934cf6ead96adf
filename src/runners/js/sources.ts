/**
 * JS/TS test files: the suite-wide async setup they declare. Vitest `test.extend` fixtures scoped to the
 * worker or the file, and top-level `beforeAll(async ...)`. A text check comes first: a file that mentions
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
}

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

function isAsyncFunction(ts: typeof TS, node: TS.Node | undefined): boolean {
  return node !== undefined && (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Async) !== 0;
}

export function analyzeJsSource(file: string, text: string): JsTestSource {
  const ts = typescript();
  const parsed = parseJs(file, text);
  const source = parsed.source;
  const span = (n: TS.Node): Span => ({ file, start: n.getStart(source), end: n.getEnd() });
  const vitest = /from\s+['"]vitest['"]|require\(\s*['"]vitest['"]\s*\)/.test(text);
  const fixtures: ScopedFixture[] = [];
  const setups: SharedSetup[] = [];

  for (const statement of source.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) continue;
    const call = statement.expression;
    if (ts.isIdentifier(call.expression) && call.expression.text === 'beforeAll' && isAsyncFunction(ts, call.arguments[0])) setups.push({ call: span(call) });
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
      for (const member of (node.arguments[0] as TS.ObjectLiteralExpression).properties) {
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
