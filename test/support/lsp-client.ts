/**
 * A language client for the tests: `netra-migrate server` as a child process, driven through vscode-jsonrpc
 * (the library vscode-languageclient is built on). It answers the server's requests as an editor does
 * (workspace/configuration, window/workDoneProgress/create, applying nothing by itself) and keeps every
 * notification it receives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, PublishDiagnosticsParams, CreateFile, WorkspaceEdit } from 'vscode-languageserver';
import { CLI } from './env.js';

export const uri = (path: string) => pathToFileURL(path).href;

export class LspClient {
  readonly child: ChildProcess;
  readonly connection: MessageConnection;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly progress: { token: unknown; value: { kind: string; title?: string; message?: string } }[] = [];
  /** Every publishDiagnostics, with the time it arrived. */
  readonly log: { at: number; params: PublishDiagnosticsParams }[] = [];
  private waiters: (() => void)[] = [];
  stderr = '';

  constructor(
    readonly root: string,
    settings: unknown = {},
    initializationOptions: unknown = { debounceMs: 20 },
  ) {
    this.child = spawn(process.execPath, [CLI, 'server', '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    LspClient.live.add(this);
    this.child.on('exit', () => LspClient.live.delete(this));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.diagnostics.set(params.uri, params);
      this.log.push({ at: performance.now(), params });
      this.wake();
    });
    this.connection.onNotification('$/progress', (p: { token: unknown; value: { kind: string } }) => {
      this.progress.push(p);
      this.wake();
    });
    this.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => settings));
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification('window/showMessage', () => undefined);
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.listen();
    this.initializationOptions = initializationOptions;
  }
  private readonly initializationOptions: unknown;

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  async initialize(): Promise<unknown> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri(this.root),
      workspaceFolders: [{ uri: uri(this.root), name: 'project' }],
      capabilities: {
        workspace: { configuration: true, workspaceEdit: { documentChanges: true, resourceOperations: ['create'] } },
        window: { workDoneProgress: true },
        textDocument: { publishDiagnostics: { versionSupport: true } },
      },
      initializationOptions: this.initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /** Wait until `test` holds (checked on every notification), or fail after `ms`. */
  async until<T>(what: string, test: () => T | undefined | false, ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = test();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** The diagnostics of `path` once a publish for it satisfies `test`. */
  diagnosticsOf(
    path: string,
    test: (d: Diagnostic[], version?: number) => boolean,
    what = `diagnostics of ${path}`,
  ): Promise<Diagnostic[]> {
    return this.until(what, () => {
      const p = this.diagnostics.get(uri(path));
      return p && test(p.diagnostics, p.version) ? p.diagnostics : undefined;
    });
  }

  open(path: string, text: string, languageId = 'plaintext', version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(path), languageId, version, text } });
  }

  change(path: string, text: string, version: number): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: uri(path), version },
      contentChanges: [{ text }],
    });
  }

  /** Shut down and exit as an editor does; the process's exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.child.on('exit', (code) => resolve(code)));
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    return code;
  }

  kill(): void {
    this.child.kill();
  }

  /** Servers still running: a test that failed before `stop` leaves one, which would keep the test process alive. */
  static readonly live = new Set<LspClient>();

  /** Kill every server a test left running (an `after` hook: a failed assertion never hangs the suite). */
  static killAll(): void {
    for (const client of LspClient.live) client.kill();
  }
}

/**
 * A WorkspaceEdit applied to texts (by URI): files it creates start empty; what a client does with it.
 * `texts` is updated in place and returned.
 */
export function applyWorkspaceEdit(edit: WorkspaceEdit, texts: Map<string, string>): Map<string, string> {
  for (const change of edit.documentChanges ?? []) {
    if ('kind' in change) {
      const create = change as CreateFile;
      if (create.kind === 'create' && !texts.has(create.uri)) texts.set(create.uri, '');
      continue;
    }
    const docEdit = change;
    const before = texts.get(docEdit.textDocument.uri);
    if (before === undefined) throw new Error(`edit of a text the test does not hold: ${docEdit.textDocument.uri}`);
    const doc = TextDocument.create(docEdit.textDocument.uri, 'plaintext', 0, before);
    texts.set(docEdit.textDocument.uri, TextDocument.applyEdits(doc, docEdit.edits as Parameters<typeof TextDocument.applyEdits>[1]));
  }
  return texts;
}
