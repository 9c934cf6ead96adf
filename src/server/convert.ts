/**
 * Engine findings as LSP diagnostics, and back: each diagnostic carries its fix, suggestions and suppression
 * edit (as LSP ranges) in `data`, so a code action is answered from the diagnostic the client sends back,
 * without running the rules again (as ruff server does).
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeAction,
  CodeActionKind,
  DiagnosticSeverity,
  type Diagnostic as LspDiagnostic,
  type Range,
  type TextDocumentEdit,
  type CreateFile,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Edit, FileProblem, LocatedDiagnostic, Severity } from '../core/diagnostic.js';
import { suppressionComment } from '../core/suppressions.js';

export const SOURCE = 'netra-migrate';
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.netra-migrate`;
/** The rule id of a file that could not be read or parsed, as the CLI's json and sarif formats name it. */
export const PARSE_ERROR = 'parse-error';
const DOCS = 'https://github.com/netra-migrate/netra-migrate/blob/main/docs/rules';

/** One edit of a fix as the client applies it; `create` when the file does not exist yet (a module a fix adds). */
export interface WireEdit {
  uri: string;
  /** The version of the open document the range is in (null: the file on disk). */
  version: number | null;
  range: Range;
  newText: string;
  create?: boolean;
}

export interface WireFix {
  title: string;
  edits: WireEdit[];
}

/** What a diagnostic carries for code actions. */
export interface DiagnosticData {
  rule: string;
  fix?: WireFix & { applicability: 'safe' | 'unsafe' };
  suggestions?: WireFix[];
  ignore?: WireFix;
}

/** Texts and versions of the files a run saw: open buffers first, then the disk. */
export interface TextSource {
  text(path: string): string | null;
  version(path: string): number | null;
}

export const uriOf = (path: string) => pathToFileURL(path).href;

const severityOf = (s: Severity): DiagnosticSeverity =>
  s === 'error' ? DiagnosticSeverity.Error : s === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;

/** Converts engine offsets (UTF-16 code units of a file's text) to LSP positions, one line table per file. */
export class Positions {
  private readonly docs = new Map<string, TextDocument | null>();
  constructor(private readonly texts: TextSource) {}

  doc(path: string): TextDocument | null {
    let doc = this.docs.get(path);
    if (doc === undefined) {
      const text = this.texts.text(path);
      doc = text === null ? null : TextDocument.create(uriOf(path), 'plaintext', 0, text);
      this.docs.set(path, doc);
    }
    return doc;
  }

  version(path: string): number | null {
    return this.texts.version(path);
  }

  range(path: string, start: number, end: number): Range {
    const doc = this.doc(path);
    if (!doc) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { start: doc.positionAt(start), end: doc.positionAt(end) };
  }

  edits(edits: readonly Edit[]): WireEdit[] {
    return edits.map((e) => {
      const create = this.texts.text(e.file) === null && !existsSync(e.file);
      return {
        uri: uriOf(e.file),
        version: this.texts.version(e.file),
        range: this.range(e.file, e.start, e.end),
        newText: e.text,
        ...(create ? { create } : {}),
      };
    });
  }
}

/** The "ignore this finding" edit: the suppression comment on a line of its own above the finding's line. */
function ignoreEdit(d: LocatedDiagnostic, positions: Positions): WireFix | undefined {
  const comment = suppressionComment(d.file, d.rule);
  const doc = positions.doc(d.file);
  if (comment === null || !doc) return undefined;
  const line = doc.positionAt(d.start).line;
  const lineText = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  const eol = /\r\n$/.test(lineText) ? '\r\n' : /\r$/.test(lineText) ? '\r' : (/\r\n|\r|\n/.exec(doc.getText())?.[0] ?? '\n');
  // INI reads an indented line as a continuation of the value above: the comment goes at column 1 there.
  const indent = /\.(ini|cfg)$/.test(d.file) ? '' : (/^[ \t]*/.exec(lineText)?.[0] ?? '');
  const at = { line, character: 0 };
  return {
    title: `Ignore ${d.rule} on this line`,
    edits: [
      { uri: uriOf(d.file), version: positions.version(d.file), range: { start: at, end: at }, newText: `${indent}${comment}${eol}` },
    ],
  };
}

export function toLspDiagnostic(d: LocatedDiagnostic, positions: Positions): LspDiagnostic {
  const data: DiagnosticData = { rule: d.rule };
  // A fix derived from a file that does not parse is never applied (the CLI holds it back too).
  if (d.fix && d.heldBy === undefined)
    data.fix = { title: d.fix.title, applicability: d.fix.applicability, edits: positions.edits(d.fix.edits) };
  if (d.suggestions?.length) data.suggestions = d.suggestions.map((s) => ({ title: s.title, edits: positions.edits(s.edits) }));
  const ignore = ignoreEdit(d, positions);
  if (ignore) data.ignore = ignore;
  return {
    range: positions.range(d.file, d.start, d.end),
    severity: severityOf(d.severity),
    code: d.rule,
    codeDescription: { href: `${DOCS}/${d.rule}.md` },
    source: SOURCE,
    message: d.message,
    data,
  };
}

export function problemDiagnostic(p: FileProblem): LspDiagnostic {
  const line = Math.max(0, (p.line ?? 1) - 1);
  const character = Math.max(0, (p.column ?? 1) - 1);
  return {
    range: { start: { line, character }, end: { line, character } },
    severity: DiagnosticSeverity.Error,
    code: PARSE_ERROR,
    source: SOURCE,
    message: p.message,
  };
}

/** One WorkspaceEdit from wire edits: files a fix creates first, then the edits grouped per document. */
export function workspaceEdit(edits: readonly WireEdit[]): WorkspaceEdit {
  const creates: CreateFile[] = [];
  const byUri = new Map<string, TextDocumentEdit>();
  for (const e of edits) {
    if (e.create && !creates.some((c) => c.uri === e.uri)) creates.push({ kind: 'create', uri: e.uri, options: { ignoreIfExists: true } });
    let docEdit = byUri.get(e.uri);
    if (!docEdit) {
      docEdit = { textDocument: { uri: e.uri, version: e.version }, edits: [] };
      byUri.set(e.uri, docEdit);
    }
    docEdit.edits.push({ range: e.range, newText: e.newText });
  }
  return { documentChanges: [...creates, ...byUri.values()] };
}

function action(title: string, diagnostic: LspDiagnostic, fix: WireFix, preferred = false): CodeAction {
  const a = CodeAction.create(title, workspaceEdit(fix.edits), CodeActionKind.QuickFix);
  a.diagnostics = [diagnostic];
  if (preferred) a.isPreferred = true;
  return a;
}

/** The quick fixes of one diagnostic: its fix (safe ones preferred), its suggestions, and ignoring it. */
export function quickFixes(diagnostic: LspDiagnostic): CodeAction[] {
  if (diagnostic.source !== SOURCE || typeof diagnostic.data !== 'object' || diagnostic.data === null) return [];
  const data = diagnostic.data as DiagnosticData;
  const out: CodeAction[] = [];
  if (data.fix) {
    const unsafe = data.fix.applicability === 'unsafe';
    out.push(action(unsafe ? `${data.fix.title} (unsafe fix)` : data.fix.title, diagnostic, data.fix, !unsafe));
  }
  for (const s of data.suggestions ?? []) out.push(action(`${s.title} (suggestion)`, diagnostic, s));
  if (data.ignore) out.push(action(data.ignore.title, diagnostic, data.ignore));
  return out;
}
