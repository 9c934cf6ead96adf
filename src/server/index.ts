/**
 * `netra-migrate server`: the Language Server Protocol over stdio (vscode-languageserver), as `ruff server`
 * and vscode-eslint's server do it. Diagnostics come from the library's `check` on the open buffers laid over
 * the disk; code actions answer from each diagnostic's `data`; `source.fixAll.netra-migrate` is what
 * `fix --write FILE` would write. The server never runs user code and never writes a file: edits go to the
 * client as WorkspaceEdits. Loaded only by this command (a chunk of its own), so `check` never pays for it.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  createConnection,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ruleMarkdown } from '../rule-docs.js';
import { allRules } from '../rules.js';
import { TOOL_CONFIG_FILES } from '../core/tool-config.js';
import { FIX_ALL_KIND, PARSE_ERROR, SOURCE, quickFixes, uriOf, workspaceEdit, type WireEdit } from './convert.js';
import { Session, scopeOf, type OpenBuffer } from './session.js';

export interface ServerOptions {
  /** How long edits to one file settle before it is checked again (initializationOptions.debounceMs). */
  debounceMs?: number;
}

const pathOf = (uri: string): string | null => (uri.startsWith('file:') ? fileURLToPath(uri) : null);

export function startServer(): Connection {
  // Anything printed to stdout would corrupt the protocol stream: the engine's stray output goes to stderr.
  console.log = console.info = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  const documents = new TextDocuments(TextDocument);
  const openBuffers = (): Map<string, OpenBuffer> => {
    const out = new Map<string, OpenBuffer>();
    for (const doc of documents.all()) {
      const path = pathOf(doc.uri);
      if (path !== null) out.set(path, { text: doc.getText(), version: doc.version });
    }
    return out;
  };
  const session = new Session(openBuffers, (message) => void connection.window.showWarningMessage(message));
  let debounceMs = 50;
  let configurationSupported = false;
  /** The newest change per file: a run scheduled for an older one is dropped before it starts. */
  const latest = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  let changes = 0;

  const publish = (changed: Map<string, LspDiagnostic[]>) => {
    for (const [path, diagnostics] of changed) {
      const doc = documents.get(uriOf(path));
      void connection.sendDiagnostics({ uri: uriOf(path), ...(doc ? { version: doc.version } : {}), diagnostics });
    }
  };

  const fullScan = async (folder: string, title: string) => {
    const progress = await connection.window.createWorkDoneProgress();
    progress.begin('netra-migrate', 0, title, false);
    let last = 0;
    try {
      const outcome = await session.analyze(folder, null, (done, total) => {
        const now = Date.now();
        if (now - last < 100) return;
        last = now;
        progress.report(Math.floor((100 * done) / Math.max(1, total)), `files read ${done} of ${total}`);
      });
      publish(session.apply(outcome));
    } finally {
      progress.done();
    }
  };

  const scheduleScan = (folder: string, title: string) =>
    session.enqueue(() => fullScan(folder, title)).catch((e: unknown) => connection.console.error(String((e as Error).stack ?? e)));

  /** Check what a change to `path` can change, once its edits have settled for debounceMs. */
  const schedule = (path: string, delay = debounceMs) => {
    const token = ++changes;
    latest.set(path, token);
    clearTimeout(timers.get(path));
    timers.set(
      path,
      setTimeout(() => {
        timers.delete(path);
        session
          .enqueue(async () => {
            // A newer change to this file is queued behind: this run would be stale before it ended.
            if (latest.get(path) !== token) return;
            const folder = session.folderOf(path);
            const scope = scopeOf(path);
            if (scope === null) return fullScan(folder, 'checking the workspace (tool config changed)');
            const changed = session.apply(await session.analyze(folder, scope));
            // The changed file always hears back, also when it has no findings: its version is answered.
            if (!changed.has(path)) changed.set(path, session.published.get(path) ?? []);
            publish(changed);
          })
          .catch((e: unknown) => connection.console.error(String((e as Error).stack ?? e)));
      }, delay),
    );
  };

  const loadSettings = async () => {
    for (const folder of session.folders) {
      const raw: unknown = configurationSupported
        ? await connection.workspace.getConfiguration({ scopeUri: uriOf(folder), section: 'netra-migrate' })
        : undefined;
      await session.setSettings(folder, raw);
    }
  };

  connection.onInitialize((params) => {
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    for (const uri of folders) {
      const path = pathOf(uri);
      if (path !== null) session.folders.push(path);
    }
    if (session.folders.length === 0 && params.rootPath) session.folders.push(params.rootPath);
    configurationSupported = params.capabilities.workspace?.configuration === true;
    const init = params.initializationOptions as ServerOptions | undefined;
    if (typeof init?.debounceMs === 'number' && init.debounceMs >= 0) debounceMs = init.debounceMs;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        workspace: { workspaceFolders: { supported: true } },
      },
      serverInfo: { name: 'netra-migrate' },
    };
  });

  connection.onInitialized(() => {
    void session.enqueue(loadSettings).then(() => {
      for (const folder of session.folders) void scheduleScan(folder, 'checking the workspace');
    });
  });

  connection.onDidChangeConfiguration(() => {
    void session.enqueue(loadSettings).then(() => {
      for (const folder of session.folders) void scheduleScan(folder, 'checking the workspace (settings changed)');
    });
  });

  // Fired on open and on every change.
  documents.onDidChangeContent(({ document }) => {
    const path = pathOf(document.uri);
    if (path !== null) schedule(path);
  });
  documents.onDidClose(({ document }) => {
    const path = pathOf(document.uri);
    // The file's text is the disk's again.
    if (path !== null) schedule(path, 0);
  });
  documents.onDidSave(({ document }) => {
    const path = pathOf(document.uri);
    // A tool config (also in pyproject.toml or package.json) is read from disk: a saved one changes every file.
    if (path !== null && (TOOL_CONFIG_FILES as readonly string[]).includes(basename(path)))
      void scheduleScan(session.folderOf(path), 'checking the workspace (tool config saved)');
  });

  connection.onHover((params) => {
    const path = pathOf(params.textDocument.uri);
    if (path === null) return null;
    const { line, character } = params.position;
    const before = (a: { line: number; character: number }, b: { line: number; character: number }) =>
      a.line < b.line || (a.line === b.line && a.character <= b.character);
    const here = (session.published.get(path) ?? []).filter(
      (d) => d.code !== PARSE_ERROR && before(d.range.start, { line, character }) && before({ line, character }, d.range.end),
    );
    const ids = [...new Set(here.map((d) => String(d.code)))];
    const pages = ids.flatMap((id) => {
      const rule = allRules.find((r) => r.meta.id === id);
      return rule ? [ruleMarkdown(rule)] : [];
    });
    if (pages.length === 0) return null;
    return { contents: { kind: 'markdown', value: pages.join('\n\n---\n\n') } };
  });

  connection.onCodeAction(async (params, token) => {
    const only = params.context.only;
    const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const actions: CodeAction[] = [];
    if (wants(CodeActionKind.QuickFix)) for (const d of params.context.diagnostics) actions.push(...quickFixes(d));
    // Fix-all runs the fixer; only a request that names it (on save, or the source action menu) pays for it.
    if (only && wants(FIX_ALL_KIND)) {
      const uri = params.textDocument.uri;
      const path = pathOf(uri);
      if (path === null) return actions;
      const version = documents.get(uri)?.version;
      const edit = await session.enqueue(() => fixAllEdit(path));
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
      if (documents.get(uri)?.version !== version)
        throw new ResponseError(LSPErrorCodes.ContentModified, 'the document changed while its fixes were computed');
      if (edit) actions.push({ title: 'Fix all safe netra-migrate problems', kind: FIX_ALL_KIND, edit });
    }
    return actions;
  });

  /** `fix --write FILE` on the buffers, as edits: whole changed lines of each file, new files created. */
  const fixAllEdit = async (path: string): Promise<WorkspaceEdit | null> => {
    const result = await session.fixFile(path);
    const broken = new Set(result.problems.map((p) => p.file));
    const edits: WireEdit[] = [];
    for (const c of result.changes) {
      if (broken.has(c.file)) continue;
      const doc = documents.get(uriOf(c.file));
      const edit = lineDiff(c.before, c.after);
      edits.push({ uri: uriOf(c.file), version: doc?.version ?? null, ...edit, ...(c.created ? { create: true } : {}) });
    }
    return edits.length > 0 ? workspaceEdit(edits) : null;
  };

  documents.listen(connection);
  connection.listen();
  return connection;
}

/**
 * One edit turning `before` into `after`: the changed run of whole lines (so a CRLF or a surrogate pair is
 * never split), its range in `before`'s positions.
 */
export function lineDiff(before: string, after: string): TextEdit {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before[start] === after[start]) start++;
  start = before.lastIndexOf('\n', start - 1) + 1;
  let tail = 0;
  while (tail < max - start && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  // The unchanged tail starts at a line start: after a newline, or at the end.
  while (tail > 0 && before[before.length - tail - 1] !== '\n') tail--;
  const doc = TextDocument.create('file:///x', 'plaintext', 0, before);
  return {
    range: { start: doc.positionAt(start), end: doc.positionAt(before.length - tail) },
    newText: after.slice(start, after.length - tail),
  };
}

export { SOURCE };
