/**
 * A small, strict parser for the literal subset most Jest and Vitest configs are written in, so `check` of
 * one config need not load the TypeScript compiler (its 9 MB are most of such a run: issue 16). It builds
 * nodes shaped like the TypeScript nodes the reader in js.ts looks at, and answers that reader's questions
 * (`isIdentifier`, `SyntaxKind.MinusToken`, ...) through `lightSyntax`, so one reader reads both trees and
 * a value read here is the value read through TypeScript by construction; test/js-light.test.ts compares the
 * two on every config in fixtures/ and the corpus.
 *
 * It accepts only what it fully understands: comments, `import`s, `const`/`let`/`var` with plain or simply
 * destructured names, `export default` and `module.exports =`, calls and member accesses, string, number,
 * boolean, null, object and array literals with spreads, arrow and function expressions whose bodies are
 * declarations and a `return`, and (in TypeScript files) `as`/`satisfies`/annotations naming a type. On any
 * other token or form it returns null and the caller parses with TypeScript, which stays the authority on
 * syntax: nothing here ever reports an error, and nothing it accepts is a file TypeScript would reject.
 */
import type { ParsedJs, SyntaxApi } from './js.js';

/** Thrown on the first thing this parser does not handle; never escapes `parseLight`. */
class Unsupported extends Error {}

const enum Kind {
  SourceFile = 1,
  Identifier,
  StringLiteral,
  NoSubstitutionTemplateLiteral,
  NumericLiteral,
  TrueKeyword,
  FalseKeyword,
  NullKeyword,
  PrefixUnaryExpression,
  MinusToken,
  EqualsToken,
  ObjectLiteralExpression,
  PropertyAssignment,
  ShorthandPropertyAssignment,
  SpreadAssignment,
  ArrayLiteralExpression,
  SpreadElement,
  ParenthesizedExpression,
  AsExpression,
  SatisfiesExpression,
  CallExpression,
  PropertyAccessExpression,
  AwaitExpression,
  ArrowFunction,
  FunctionExpression,
  Block,
  ReturnStatement,
  VariableStatement,
  VariableDeclarationList,
  VariableDeclaration,
  ObjectBindingPattern,
  BindingElement,
  ImportDeclaration,
  ImportClause,
  NamespaceImport,
  NamedImports,
  ImportSpecifier,
  ExportAssignment,
  ExpressionStatement,
  BinaryExpression,
  EmptyStatement,
  TypeReference,
  OmittedExpression,
  /** `import.meta`, `new X(...)`: no question the reader asks is answered yes for them (they read as computed). */
  MetaProperty,
  NewExpression,
}

const CONST_FLAG = 2;
const ASYNC_FLAG = 1024;

/** A node: where it is, what it is, and the fields the reader reads (named as TypeScript names them). */
class LightNode {
  [field: string]: unknown;
  constructor(
    readonly kind: Kind,
    private readonly src: string,
    readonly start: number,
    public end: number,
  ) {}
  getStart(): number {
    return this.start;
  }
  getEnd(): number {
    return this.end;
  }
  getText(): string {
    return this.src.slice(this.start, this.end);
  }
}

type Token =
  | { type: 'punct'; value: string; start: number; end: number; newlineBefore: boolean }
  | { type: 'ident'; value: string; start: number; end: number; newlineBefore: boolean }
  | { type: 'string'; value: string; start: number; end: number; newlineBefore: boolean }
  | { type: 'template'; value: string; start: number; end: number; newlineBefore: boolean }
  | { type: 'number'; value: string; start: number; end: number; newlineBefore: boolean }
  | { type: 'eof'; value: ''; start: number; end: number; newlineBefore: boolean };

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;
/** A number as configs write one: decimal or hex, numeric separators (`10_000`) only between digits. */
const NUMBER =
  /0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*(?:[eE][+-]?[0-9](?:_?[0-9])*)?/y;
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
};

const TRIPLE_SLASH_REFERENCE = /^\/\/\/ *<reference +types="[\w@/.-]+" *\/> *$/;

/** Words that cannot name a binding or be read as a plain identifier here (strict mode and modules reserve them). */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await async eval arguments'
  ).split(' '),
);
/** Words that begin a TypeScript declaration at the start of a statement (`type X = ...`, `declare const`, `module M {}`). */
const DECLARATION_WORDS = new Set(['type', 'declare', 'namespace', 'abstract', 'module', 'global', 'using']);
/** A JSON number, as JSON writes one (TypeScript's JSON parser reads more, with its own rules). */
const JSON_NUMBER = /^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function tokenize(text: string): { tokens: Token[]; comments: boolean } {
  const tokens: Token[] = [];
  let comments = false;
  let i = 0;
  let newlineBefore = false;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      newlineBefore = true;
      i++;
      continue;
    }
    const start = i;
    if (c === '/') {
      comments = true;
      if (text[i + 1] === '/') {
        while (i < n && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '\u2028' || text[i] === '\u2029') throw new Unsupported();
          i++;
        }
        // A triple-slash directive TypeScript reads (and rejects when malformed): only the plain form here.
        const comment = text.slice(start, i);
        if (comment.startsWith('///') && comment.includes('<') && !TRIPLE_SLASH_REFERENCE.test(comment)) throw new Unsupported();
        continue;
      }
      if (text[i + 1] === '*') {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) throw new Unsupported();
        const body = text.slice(i + 2, end);
        if (/[\u2028\u2029]/.test(body) || body.includes('<reference')) throw new Unsupported();
        if (/[\r\n]/.test(body)) newlineBefore = true;
        i = end + 2;
        continue;
      }
      throw new Unsupported();
    }
    if (c === "'" || c === '"') {
      const value = scanString(text, i, c);
      i = value.end;
      tokens.push({ type: 'string', value: value.value, start, end: i, newlineBefore });
    } else if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) throw new Unsupported();
      const value = text.slice(i + 1, end);
      // A substitution, an escape or a CR (which a template reads as LF) would need cooking: TypeScript does it.
      if (value.includes('${') || value.includes('\\') || value.includes('\r') || /[\u2028\u2029]/.test(value)) throw new Unsupported();
      i = end + 1;
      tokens.push({ type: 'template', value, start, end: i, newlineBefore });
    } else if (IDENT_START.test(c)) {
      i++;
      while (i < n && IDENT_PART.test(text[i]!)) i++;
      if (i < n && (text.charCodeAt(i) > 0x7f || text[i] === '\\')) throw new Unsupported();
      tokens.push({ type: 'ident', value: text.slice(start, i), start, end: i, newlineBefore });
    } else if ((c >= '0' && c <= '9') || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) throw new Unsupported();
      i += m[0].length;
      // `1n`, `1__0`, `08`, `1.` and `3in` are TypeScript's to read (or reject).
      if (i < n && /[A-Za-z0-9_$.\\]/.test(text[i]!)) throw new Unsupported();
      if (text.charCodeAt(i) > 0x7f) throw new Unsupported();
      // TypeScript's text of a numeric literal leaves out the separators.
      tokens.push({ type: 'number', value: m[0].replace(/_/g, ''), start, end: i, newlineBefore });
    } else if (c === '.' && text[i + 1] === '.' && text[i + 2] === '.') {
      i += 3;
      tokens.push({ type: 'punct', value: '...', start, end: i, newlineBefore });
    } else if (c === '=' && text[i + 1] === '>') {
      i += 2;
      tokens.push({ type: 'punct', value: '=>', start, end: i, newlineBefore });
    } else if (
      '{}()[],;:.<>'.includes(c) ||
      (c === '=' && text[i + 1] !== '=') ||
      (c === '-' && text[i + 1] !== '-' && text[i + 1] !== '=')
    ) {
      i++;
      tokens.push({ type: 'punct', value: c, start, end: i, newlineBefore });
    } else throw new Unsupported();
    newlineBefore = false;
  }
  tokens.push({ type: 'eof', value: '', start: n, end: n, newlineBefore });
  return { tokens, comments };
}

function scanString(text: string, from: number, quote: string): { value: string; end: number } {
  let value = '';
  let i = from + 1;
  for (;;) {
    const c = text[i];
    if (c === undefined || c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029') throw new Unsupported();
    if (c === quote) return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = text[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      i += 2;
    } else if (e === '0' && !/[0-9]/.test(text[i + 2] ?? '')) {
      value += '\0';
      i += 2;
    } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      value += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else throw new Unsupported();
  }
}

/** TypeScript-only syntax (annotations, `as`, `import type`) is read only in files TypeScript reads as TypeScript. */
const TS_FILE = /\.[cm]?tsx?$/;

class Parser {
  private i = 0;
  private readonly typescript: boolean;
  /** Inside an async function's body: `await` is an operator there, and only there. */
  private inAsync = false;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
    file: string,
  ) {
    this.typescript = TS_FILE.test(file);
  }

  private get tok(): Token {
    return this.tokens[this.i]!;
  }

  private peek(ahead = 1): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }

  private node(kind: Kind, start: number, end: number, fields: Record<string, unknown> = {}): LightNode {
    return Object.assign(new LightNode(kind, this.text, start, end), fields);
  }

  private is(value: string, token: Token = this.tok): boolean {
    return (token.type === 'punct' || token.type === 'ident') && token.value === value;
  }

  private expect(value: string): Token {
    const t = this.tok;
    if (!this.is(value, t)) throw new Unsupported();
    this.i++;
    return t;
  }

  /** The end of a statement: `;`, or a line break, `}` or the end of the file before the next token (ASI). */
  private endStatement(): number {
    const t = this.tok;
    if (t.type === 'punct' && t.value === ';') {
      this.i++;
      return t.end;
    }
    if (t.type === 'eof' || t.newlineBefore || (t.type === 'punct' && t.value === '}')) return this.tokens[this.i - 1]!.end;
    throw new Unsupported();
  }

  private identifier(allowReserved = false): LightNode {
    const t = this.tok;
    if (t.type !== 'ident' || (!allowReserved && RESERVED.has(t.value))) throw new Unsupported();
    this.i++;
    return this.node(Kind.Identifier, t.start, t.end, { text: t.value });
  }

  sourceFile(): LightNode {
    const statements: LightNode[] = [];
    while (this.tok.type !== 'eof') statements.push(this.statement());
    return this.node(Kind.SourceFile, 0, this.text.length, { statements });
  }

  /** The one value of a JSON document, as TypeScript's JSON parser lays it out (an expression statement). */
  jsonFile(): LightNode {
    const expression = this.jsonValue();
    if (this.tok.type !== 'eof') throw new Unsupported();
    const statement = this.node(Kind.ExpressionStatement, expression.start, expression.end, { expression });
    return this.node(Kind.SourceFile, 0, this.text.length, { statements: [statement] });
  }

  private jsonValue(): LightNode {
    const t = this.tok;
    if (t.type === 'string') {
      this.jsonString(t);
      return this.primary();
    }
    const number = t.type === 'number' ? t : this.is('-') ? this.peek() : null;
    if (number?.type === 'number') {
      if (!JSON_NUMBER.test(this.text.slice(number.start, number.end))) throw new Unsupported();
      return this.unary();
    }
    if (t.type === 'ident' && (t.value === 'true' || t.value === 'false' || t.value === 'null')) return this.primary();
    if (this.is('{')) {
      this.i++;
      const properties: LightNode[] = [];
      while (!this.is('}')) {
        const key = this.tok;
        if (key.type !== 'string') throw new Unsupported();
        this.jsonString(key);
        this.i++;
        const name = this.node(Kind.StringLiteral, key.start, key.end, { text: key.value });
        this.expect(':');
        const initializer = this.jsonValue();
        properties.push(this.node(Kind.PropertyAssignment, key.start, initializer.end, { name, initializer }));
        if (!this.is(',')) break;
        this.i++;
        if (this.is('}')) throw new Unsupported();
      }
      const close = this.expect('}');
      return this.node(Kind.ObjectLiteralExpression, t.start, close.end, { properties });
    }
    if (this.is('[')) {
      this.i++;
      const elements: LightNode[] = [];
      while (!this.is(']')) {
        elements.push(this.jsonValue());
        if (!this.is(',')) break;
        this.i++;
        if (this.is(']')) throw new Unsupported();
      }
      const close = this.expect(']');
      return this.node(Kind.ArrayLiteralExpression, t.start, close.end, { elements });
    }
    throw new Unsupported();
  }

  /** A string as JSON writes one: double quotes, JSON's escapes, no control characters. */
  private jsonString(t: Token): void {
    const raw = this.text.slice(t.start, t.end);
    if (!/^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/.test(raw)) throw new Unsupported();
  }

  private statement(): LightNode {
    const t = this.tok;
    if (this.is(';')) {
      this.i++;
      return this.node(Kind.EmptyStatement, t.start, t.end);
    }
    if (t.type === 'ident') {
      if (t.value === 'import') return this.importDeclaration();
      if (t.value === 'export') return this.exportAssignment();
      if (t.value === 'const' || t.value === 'let' || t.value === 'var') return this.variableStatement();
      if (RESERVED.has(t.value) || (DECLARATION_WORDS.has(t.value) && !this.is('.', this.peek()))) throw new Unsupported();
    } else if (t.type !== 'string') throw new Unsupported();
    // An expression statement: a directive, a call, or an assignment to a name or member (`module.exports = ...`).
    const expression = this.expression();
    if (this.is('=')) {
      let left = expression;
      while (left.kind === Kind.PropertyAccessExpression) left = left.expression as LightNode;
      if (left.kind !== Kind.Identifier || (expression.kind !== Kind.PropertyAccessExpression && expression.kind !== Kind.Identifier))
        throw new Unsupported();
      const operator = this.tok;
      this.i++;
      const right = this.expression();
      const binary = this.node(Kind.BinaryExpression, expression.start, right.end, {
        left: expression,
        operatorToken: this.node(Kind.EqualsToken, operator.start, operator.end),
        right,
      });
      return this.node(Kind.ExpressionStatement, t.start, this.endStatement(), { expression: binary });
    }
    return this.node(Kind.ExpressionStatement, t.start, this.endStatement(), { expression });
  }

  private importDeclaration(): LightNode {
    const start = this.expect('import').start;
    let importClause: LightNode | undefined;
    if (this.tok.type !== 'string') {
      const clauseStart = this.tok.start;
      let isTypeOnly = false;
      if (
        this.is('type') &&
        (this.is('{', this.peek()) || this.is('*', this.peek()) || (this.peek().type === 'ident' && !this.is('from', this.peek())))
      ) {
        if (!this.typescript) throw new Unsupported();
        isTypeOnly = true;
        this.i++;
      }
      let name: LightNode | undefined;
      let namedBindings: LightNode | undefined;
      if (this.tok.type === 'ident' && !this.is('from')) {
        name = this.identifier();
        if (this.is(',')) {
          // `import type A, { B }` is an error TypeScript reports.
          if (isTypeOnly) throw new Unsupported();
          this.i++;
          namedBindings = this.namedBindings();
        }
      } else namedBindings = this.namedBindings();
      importClause = this.node(Kind.ImportClause, clauseStart, this.tokens[this.i - 1]!.end, { name, namedBindings, isTypeOnly });
      this.expect('from');
    }
    const specifier = this.tok;
    if (specifier.type !== 'string') throw new Unsupported();
    this.i++;
    const moduleSpecifier = this.node(Kind.StringLiteral, specifier.start, specifier.end, { text: specifier.value });
    return this.node(Kind.ImportDeclaration, start, this.endStatement(), { importClause, moduleSpecifier });
  }

  private namedBindings(): LightNode {
    const start = this.tok.start;
    if (this.is('*')) throw new Unsupported();
    if (this.is('{')) {
      this.i++;
      const elements: LightNode[] = [];
      while (!this.is('}')) {
        const elStart = this.tok.start;
        let isTypeOnly = false;
        if (this.is('type') && this.peek().type === 'ident' && !this.is('as', this.peek())) {
          if (!this.typescript) throw new Unsupported();
          isTypeOnly = true;
          this.i++;
        }
        let name = this.identifier(true);
        let propertyName: LightNode | undefined;
        if (this.is('as')) {
          this.i++;
          propertyName = name;
          name = this.identifier();
        } else if (RESERVED.has(name.text as string)) throw new Unsupported();
        elements.push(this.node(Kind.ImportSpecifier, elStart, name.end, { name, propertyName, isTypeOnly }));
        if (!this.is(',')) break;
        this.i++;
      }
      const close = this.expect('}');
      return this.node(Kind.NamedImports, start, close.end, { elements });
    }
    throw new Unsupported();
  }

  private exportAssignment(): LightNode {
    const start = this.expect('export').start;
    this.expect('default');
    // `export default function` / `class` / `async function` declare something (not an export assignment).
    const t = this.tok;
    if (t.type === 'ident' && RESERVED.has(t.value) && t.value !== 'true' && t.value !== 'false' && t.value !== 'null') {
      if (t.value !== 'async' || this.is('function', this.peek()) || this.peek().newlineBefore) throw new Unsupported();
    }
    const expression = this.expression();
    return this.node(Kind.ExportAssignment, start, this.endStatement(), { expression });
  }

  private variableStatement(): LightNode {
    const keyword = this.tok;
    this.i++;
    const declarations: LightNode[] = [];
    for (;;) {
      const dStart = this.tok.start;
      const name = this.is('{') ? this.objectBindingPattern() : this.identifier();
      if (this.is(':')) {
        if (!this.typescript) throw new Unsupported();
        this.i++;
        this.type();
      }
      this.expect('=');
      const initializer = this.expression();
      declarations.push(this.node(Kind.VariableDeclaration, dStart, initializer.end, { name, initializer }));
      if (!this.is(',')) break;
      this.i++;
    }
    const list = this.node(Kind.VariableDeclarationList, keyword.start, declarations[declarations.length - 1]!.end, {
      declarations,
      flags: keyword.value === 'const' ? CONST_FLAG : 0,
    });
    return this.node(Kind.VariableStatement, keyword.start, this.endStatement(), { declarationList: list });
  }

  /** `{ a, b: c }`: names only (no defaults, nesting or rest, which TypeScript reads). */
  private objectBindingPattern(): LightNode {
    const open = this.expect('{');
    const elements: LightNode[] = [];
    while (!this.is('}')) {
      const first = this.identifier(true);
      let name = first;
      let propertyName: LightNode | undefined;
      if (this.is(':')) {
        this.i++;
        propertyName = first;
        name = this.identifier();
      } else if (RESERVED.has(first.text as string)) throw new Unsupported();
      elements.push(this.node(Kind.BindingElement, first.start, name.end, { name, propertyName }));
      if (!this.is(',')) break;
      this.i++;
    }
    const close = this.expect('}');
    return this.node(Kind.ObjectBindingPattern, open.start, close.end, { elements });
  }

  /** A type named in an annotation or after `as`/`satisfies`: `Config`, `Config.InitialOptions`, `Foo<Bar>`, `const`. */
  private type(): LightNode {
    const start = this.tok.start;
    if (this.is('const')) {
      const t = this.expect('const');
      return this.node(Kind.TypeReference, start, t.end);
    }
    let end = this.identifier().end;
    while (this.is('.')) {
      this.i++;
      end = this.identifier(true).end;
    }
    if (this.is('<')) {
      this.i++;
      for (;;) {
        this.type();
        if (!this.is(',')) break;
        this.i++;
      }
      end = this.expect('>').end;
    }
    return this.node(Kind.TypeReference, start, end);
  }

  /** An assignment-level expression of the subset: an arrow function, or a unary expression and its `as`/`satisfies`. */
  private expression(): LightNode {
    const arrow = this.arrowFunction();
    if (arrow) return arrow;
    let e = this.unary();
    while (this.typescript && (this.is('as') || this.is('satisfies')) && !this.tok.newlineBefore) {
      const kind = this.is('as') ? Kind.AsExpression : Kind.SatisfiesExpression;
      this.i++;
      const type = this.type();
      e = this.node(kind, e.start, type.end, { expression: e, type });
    }
    return e;
  }

  private unary(): LightNode {
    const t = this.tok;
    if (this.is('-')) {
      this.i++;
      const operand = this.tok;
      if (operand.type !== 'number') throw new Unsupported();
      this.i++;
      // `-1 .toFixed()` is `-(1 .toFixed())`: left to TypeScript.
      if (this.is('.') || this.is('(')) throw new Unsupported();
      const literal = this.node(Kind.NumericLiteral, operand.start, operand.end, { text: operand.value });
      return this.node(Kind.PrefixUnaryExpression, t.start, operand.end, { operator: Kind.MinusToken, operand: literal });
    }
    if (this.is('await') && this.inAsync) {
      this.i++;
      const expression = this.unary();
      return this.node(Kind.AwaitExpression, t.start, expression.end, { expression });
    }
    return this.postfix(this.primary());
  }

  private postfix(from: LightNode): LightNode {
    let e = from;
    for (;;) {
      if (this.is('.')) {
        if (e.kind === Kind.NumericLiteral) throw new Unsupported();
        this.i++;
        const name = this.identifier(true);
        e = this.node(Kind.PropertyAccessExpression, e.start, name.end, { expression: e, name });
      } else if (this.is('(')) {
        if (e.kind === Kind.NumericLiteral) throw new Unsupported();
        const args = this.argumentList();
        e = this.node(Kind.CallExpression, e.start, this.tokens[this.i - 1]!.end, { expression: e, arguments: args });
      } else if (this.is('[') || this.tok.type === 'template' || this.is('<')) {
        // An element access, a tagged template, type arguments, or a comparison: TypeScript's to read.
        throw new Unsupported();
      } else return e;
    }
  }

  private primary(): LightNode {
    const t = this.tok;
    switch (t.type) {
      case 'string':
        this.i++;
        return this.node(Kind.StringLiteral, t.start, t.end, { text: t.value });
      case 'template':
        this.i++;
        return this.node(Kind.NoSubstitutionTemplateLiteral, t.start, t.end, { text: t.value });
      case 'number':
        this.i++;
        return this.node(Kind.NumericLiteral, t.start, t.end, { text: t.value });
      case 'ident':
        if (t.value === 'true' || t.value === 'false' || t.value === 'null') {
          this.i++;
          const kind = t.value === 'true' ? Kind.TrueKeyword : t.value === 'false' ? Kind.FalseKeyword : Kind.NullKeyword;
          return this.node(kind, t.start, t.end);
        }
        if (t.value === 'function' || (t.value === 'async' && this.is('function', this.peek()) && !this.peek().newlineBefore))
          return this.functionExpression();
        if (t.value === 'import' && this.is('.', this.peek()) && this.is('meta', this.peek(2))) {
          this.i += 3;
          return this.node(Kind.MetaProperty, t.start, this.tokens[this.i - 1]!.end);
        }
        if (t.value === 'new') return this.newExpression();
        return this.identifier();
      case 'punct':
        if (t.value === '{') return this.objectLiteral();
        if (t.value === '[') return this.arrayLiteral();
        if (t.value === '(') {
          this.i++;
          const expression = this.expression();
          const close = this.expect(')');
          return this.node(Kind.ParenthesizedExpression, t.start, close.end, { expression });
        }
        throw new Unsupported();
      default:
        throw new Unsupported();
    }
  }

  /** `new Name(args)` or `new a.b.Name(args)`, arguments required (`new X` alone, `new.target` are TypeScript's). */
  private newExpression(): LightNode {
    const start = this.expect('new').start;
    let callee = this.identifier();
    while (this.is('.')) {
      this.i++;
      const name = this.identifier(true);
      callee = this.node(Kind.PropertyAccessExpression, callee.start, name.end, { expression: callee, name });
    }
    if (!this.is('(')) throw new Unsupported();
    const args = this.argumentList();
    return this.node(Kind.NewExpression, start, this.tokens[this.i - 1]!.end, { expression: callee, arguments: args });
  }

  /** `(a, b,)` after a callee: expressions, no spreads. */
  private argumentList(): LightNode[] {
    this.expect('(');
    const args: LightNode[] = [];
    while (!this.is(')')) {
      if (this.is('...')) throw new Unsupported();
      args.push(this.expression());
      if (!this.is(',')) break;
      this.i++;
    }
    this.expect(')');
    return args;
  }

  private objectLiteral(): LightNode {
    const open = this.expect('{');
    const properties: LightNode[] = [];
    while (!this.is('}')) {
      const t = this.tok;
      if (this.is('...')) {
        this.i++;
        const expression = this.expression();
        properties.push(this.node(Kind.SpreadAssignment, t.start, expression.end, { expression }));
      } else {
        let name: LightNode;
        if (t.type === 'string') {
          this.i++;
          name = this.node(Kind.StringLiteral, t.start, t.end, { text: t.value });
        } else if (t.type === 'ident') {
          this.i++;
          name = this.node(Kind.Identifier, t.start, t.end, { text: t.value });
        } else throw new Unsupported();
        if (this.is(':')) {
          this.i++;
          const initializer = this.expression();
          properties.push(this.node(Kind.PropertyAssignment, t.start, initializer.end, { name, initializer }));
        } else if (t.type === 'ident' && (this.is(',') || this.is('}')) && !RESERVED.has(t.value)) {
          properties.push(this.node(Kind.ShorthandPropertyAssignment, t.start, t.end, { name }));
        } else throw new Unsupported(); // a method, accessor or `a = 1`
      }
      if (!this.is(',')) break;
      this.i++;
    }
    const close = this.expect('}');
    return this.node(Kind.ObjectLiteralExpression, open.start, close.end, { properties });
  }

  private arrayLiteral(): LightNode {
    const open = this.expect('[');
    const elements: LightNode[] = [];
    while (!this.is(']')) {
      const t = this.tok;
      // A hole (`[a, , b]`) is TypeScript's to lay out.
      if (this.is(',')) throw new Unsupported();
      if (this.is('...')) {
        this.i++;
        const expression = this.expression();
        elements.push(this.node(Kind.SpreadElement, t.start, expression.end, { expression }));
      } else elements.push(this.expression());
      if (!this.is(',')) break;
      this.i++;
    }
    const close = this.expect(']');
    return this.node(Kind.ArrayLiteralExpression, open.start, close.end, { elements });
  }

  /** `(a, { b }) => body`, `a => body`, `async (...) => body`; null (nothing consumed) when the tokens here are not one. */
  private arrowFunction(): LightNode | null {
    const from = this.i;
    const start = this.tok.start;
    let async = false;
    if (this.is('async') && !this.peek().newlineBefore && (this.is('(', this.peek()) || this.peek().type === 'ident')) {
      async = true;
      this.i++;
    }
    let parameters: LightNode[] | null = null;
    if (this.tok.type === 'ident' && this.is('=>', this.peek())) {
      if (RESERVED.has(this.tok.value)) throw new Unsupported();
      const name = this.identifier();
      parameters = [this.node(Kind.BindingElement, name.start, name.end, { name })];
    } else if (this.is('(')) parameters = this.tryParameters();
    if (parameters === null || !this.is('=>') || this.tok.newlineBefore) {
      this.i = from;
      return null;
    }
    this.i++;
    const body = this.functionBody(async, this.is('{'));
    return this.node(Kind.ArrowFunction, start, body.end, { parameters, body, async });
  }

  /** `(a, { b, c: d })` before `=>`, or null (nothing consumed) if the parentheses hold anything else. */
  private tryParameters(): LightNode[] | null {
    const from = this.i;
    try {
      const parameters = this.parameters();
      if (!this.is('=>')) throw new Unsupported();
      return parameters;
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      this.i = from;
      return null;
    }
  }

  private functionExpression(): LightNode {
    const start = this.tok.start;
    const async = this.is('async');
    if (async) this.i++;
    this.expect('function');
    if (this.tok.type === 'ident') this.identifier();
    const parameters = this.parameters();
    const body = this.functionBody(async, true);
    return this.node(Kind.FunctionExpression, start, body.end, { parameters, body, async });
  }

  /** `(a, { b, c: d })`: plain names and simple destructuring only (no defaults, rest or types). */
  private parameters(): LightNode[] {
    this.expect('(');
    const parameters: LightNode[] = [];
    while (!this.is(')')) {
      const start = this.tok.start;
      const name = this.is('{') ? this.objectBindingPattern() : this.identifier();
      parameters.push(this.node(Kind.BindingElement, start, name.end, { name }));
      if (!this.is(',')) break;
      this.i++;
    }
    this.expect(')');
    return parameters;
  }

  /** A concise body (an expression) or a block of declarations and `return`s. */
  private functionBody(async: boolean, block: boolean): LightNode {
    const outer = this.inAsync;
    this.inAsync = async;
    try {
      if (!block) return this.expression();
      const open = this.expect('{');
      const statements: LightNode[] = [];
      while (!this.is('}')) {
        const t = this.tok;
        if (this.is('const') || this.is('let') || this.is('var')) statements.push(this.variableStatement());
        else if (this.is('return')) {
          this.i++;
          // `return` then a line break returns undefined (ASI).
          const expression = this.tok.newlineBefore || this.is(';') || this.is('}') ? undefined : this.expression();
          statements.push(this.node(Kind.ReturnStatement, t.start, this.endStatement(), { expression }));
        } else throw new Unsupported();
      }
      const close = this.expect('}');
      return this.node(Kind.Block, open.start, close.end, { statements });
    } finally {
      this.inAsync = outer;
    }
  }
}

/** Parse `text` if it is in the subset, else null (TypeScript then parses it). */
export function parseLight(file: string, text: string): ParsedJs | null {
  // A BOM or a `#!` line is trivia TypeScript skips with its own rules.
  if (text.startsWith('\uFEFF') || text.startsWith('#!')) return null;
  const json = file.endsWith('.json');
  try {
    const { tokens, comments } = tokenize(text);
    // TypeScript's JSON parser reads comments with its own rules.
    if (json && comments) return null;
    const parser = new Parser(text, tokens, file);
    const source = json ? parser.jsonFile() : parser.sourceFile();
    return { file, text, source: source as never, json, syntax: lightSyntax };
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}

const is =
  (kind: Kind) =>
  (node: { kind: unknown } | undefined): boolean =>
    node?.kind === kind;

/**
 * The questions js.ts's reader asks of a tree, answered for these nodes. Typed as the TypeScript API it
 * stands in for: the reader is written against TypeScript's types, and these nodes carry the fields it reads.
 */
export const lightSyntax = {
  SyntaxKind: {
    EqualsToken: Kind.EqualsToken,
    MinusToken: Kind.MinusToken,
    TrueKeyword: Kind.TrueKeyword,
    FalseKeyword: Kind.FalseKeyword,
    NullKeyword: Kind.NullKeyword,
    OmittedExpression: Kind.OmittedExpression,
  },
  NodeFlags: { Const: CONST_FLAG },
  ModifierFlags: { Async: ASYNC_FLAG },
  getCombinedModifierFlags: (node: { async?: boolean }) => (node.async ? ASYNC_FLAG : 0),
  isArrayLiteralExpression: is(Kind.ArrayLiteralExpression),
  isArrowFunction: is(Kind.ArrowFunction),
  isAsExpression: is(Kind.AsExpression),
  isAwaitExpression: is(Kind.AwaitExpression),
  isBinaryExpression: is(Kind.BinaryExpression),
  isBlock: is(Kind.Block),
  isCallExpression: is(Kind.CallExpression),
  isExportAssignment: is(Kind.ExportAssignment),
  isExpressionStatement: is(Kind.ExpressionStatement),
  isFunctionExpression: is(Kind.FunctionExpression),
  isIdentifier: is(Kind.Identifier),
  isImportDeclaration: is(Kind.ImportDeclaration),
  isNamespaceImport: is(Kind.NamespaceImport),
  isNoSubstitutionTemplateLiteral: is(Kind.NoSubstitutionTemplateLiteral),
  isNonNullExpression: () => false,
  isNumericLiteral: is(Kind.NumericLiteral),
  isObjectBindingPattern: is(Kind.ObjectBindingPattern),
  isObjectLiteralExpression: is(Kind.ObjectLiteralExpression),
  isOmittedExpression: is(Kind.OmittedExpression),
  isParenthesizedExpression: is(Kind.ParenthesizedExpression),
  isPrefixUnaryExpression: is(Kind.PrefixUnaryExpression),
  isPrivateIdentifier: () => false,
  isPropertyAccessExpression: is(Kind.PropertyAccessExpression),
  isPropertyAssignment: is(Kind.PropertyAssignment),
  isReturnStatement: is(Kind.ReturnStatement),
  isSatisfiesExpression: is(Kind.SatisfiesExpression),
  isShorthandPropertyAssignment: is(Kind.ShorthandPropertyAssignment),
  isSpreadAssignment: is(Kind.SpreadAssignment),
  isSpreadElement: is(Kind.SpreadElement),
  isStringLiteral: is(Kind.StringLiteral),
  isTypeAssertionExpression: () => false,
  isVariableStatement: is(Kind.VariableStatement),
} as unknown as SyntaxApi;
