/**
 * The VS Code extension: starts `netra-migrate server` (stdio) for the workspace and hands it the files
 * netra-migrate reads. Everything else (diagnostics, quick fixes, fix-all on save, hover) is the server's.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { commands, workspace, type ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

/** The executable: the setting, else the workspace's own install, else `netra-migrate` on PATH. */
export function serverCommand(setting: string, folders: readonly string[]): { command: string; args: string[] } {
  if (setting !== '')
    return setting.endsWith('.js') ? { command: process.execPath, args: [setting, 'server'] } : { command: setting, args: ['server'] };
  for (const folder of folders) {
    const local = join(folder, 'node_modules', 'netra-migrate', 'bin', 'netra-migrate.js');
    if (existsSync(local)) return { command: process.execPath, args: [local, 'server'] };
  }
  return { command: 'netra-migrate', args: ['server'] };
}

/** Every file kind the CLI reads (its pre-commit `files` pattern, as globs). */
export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'python' },
  { scheme: 'file', pattern: '**/*.{ini,toml,cfg,txt,in,json,yml,yaml,sh}' },
  { scheme: 'file', pattern: '**/*.{js,cjs,mjs,jsx,ts,cts,mts,tsx}' },
  { scheme: 'file', pattern: '**/{Makefile,Pipfile}' },
];

async function start(): Promise<void> {
  const config = workspace.getConfiguration('netra-migrate');
  if (!config.get<boolean>('enable', true)) return;
  const folders = (workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const { command, args } = serverCommand(config.get<string>('path', ''), folders);
  const serverOptions: ServerOptions = { command, args, transport: TransportKind.stdio, options: { cwd: folders[0] } };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    synchronize: { configurationSection: 'netra-migrate' },
  };
  client = new LanguageClient('netra-migrate', 'netra-migrate', serverOptions, clientOptions);
  await client.start();
}

export async function activate(context: ExtensionContext): Promise<void> {
  context.subscriptions.push(
    commands.registerCommand('netra-migrate.restart', async () => {
      await client?.stop();
      client = undefined;
      await start();
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
