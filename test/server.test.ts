/**
 * `netra-migrate server` through a real client library (vscode-jsonrpc): diagnostics from unsaved buffers,
 * quick fixes applied as a client applies them, fix-all byte for byte what `fix --write` writes, an edit
 * clearing a diagnostic, hover, settings, progress, and a clean shutdown.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { applyWorkspaceEdit, LspClient, uri } from './support/lsp-client.js';
import { copyToTemp, ROOT, runCli, writeTree } from './support/env.js';

// CRLF and a comment: fixes are splices, so both survive in what the server proposes.
const INI = '[pytest]\r\n# the suite\r\naddopts = --strict-markers\r\ntestpaths = tests\r\n';
const ON_DISK = 'import pytest\n\n\ndef test_a():\n    pass\n';
const UNSAVED = 'import pytest\n\n\n@pytest.mark.slow\ndef test_a():\n    pass\n';

const project = () => writeTree({ 'pytest.ini': INI, 'tests/test_a.py': ON_DISK });
const rulesOf = (ds: Diagnostic[]) => ds.map((d) => d.code).sort();

async function started(root: string, settings: unknown = {}): Promise<LspClient> {
  const client = new LspClient(root, settings);
  await client.initialize();
  // The first scan publishes the config's findings.
  await client.diagnosticsOf(join(root, 'pytest.ini'), (ds) => ds.length > 0);
  return client;
}

function codeActions(client: LspClient, path: string, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
  return client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: uri(path) },
    range: diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics, ...(only ? { only } : {}) },
  });
}

describe('netra-migrate server', () => {
  after(() => LspClient.killAll());

  test('an open buffer is checked as typed, not as saved: its diagnostics carry rule id, docs link, severity and fix', async () => {
    const root = project();
    // On disk the module uses no mark: the CLI finds nothing in it.
    const disk = JSON.parse(runCli(['check', '--format', 'json'], root).stdout) as { file: string }[];
    assert.deepEqual(
      disk.filter((f) => f.file.startsWith('tests/')),
      [],
    );
    const client = await started(root);
    const test_a = join(root, 'tests', 'test_a.py');
    await client.open(test_a, UNSAVED, 'python');
    const [d] = await client.diagnosticsOf(test_a, (ds) => ds.length > 0);
    assert.equal(d!.code, 'registered-markers');
    assert.equal(d!.source, 'netra-migrate');
    // Severity as the CLI's run decides it for the same text.
    const saved = copyToTemp(root);
    writeFileSync(join(saved, 'tests', 'test_a.py'), UNSAVED);
    const cli = (
      JSON.parse(runCli(['check', '--format', 'json'], saved).stdout) as {
        file: string;
        rule: string;
        severity: string;
        line: number;
        column: number;
      }[]
    ).filter((f) => f.file === 'tests/test_a.py');
    assert.deepEqual(
      cli.map((f) => [f.rule, f.line, f.column]),
      [['registered-markers', 4, 2]],
    );
    assert.equal(d!.severity, cli[0]!.severity === 'error' ? 1 : 2);
    assert.deepEqual(d!.range, { start: { line: 3, character: 1 }, end: { line: 3, character: 17 } });
    assert.equal(d!.codeDescription?.href, 'https://github.com/netra-migrate/netra-migrate/blob/main/docs/rules/registered-markers.md');
    assert.equal(client.diagnostics.get(uri(test_a))?.version, 1);
    const data = d!.data as { fix: { applicability: string; edits: { uri: string }[] } };
    assert.equal(data.fix.applicability, 'safe');
    assert.deepEqual(
      data.fix.edits.map((e) => e.uri),
      [uri(join(root, 'pytest.ini'))],
    );
    // Hover on the finding: the rule's page.
    const hover = await client.connection.sendRequest<{ contents: { kind: string; value: string } } | null>('textDocument/hover', {
      textDocument: { uri: uri(test_a) },
      position: { line: 3, character: 15 },
    });
    assert.equal(hover?.contents.kind, 'markdown');
    assert.match(hover.contents.value, /^# registered-markers\n/);
    assert.match(hover.contents.value, /## What it does/);
    assert.equal(await client.stop(), 0);
  });

  test('a quick fix applied as the client applies it, and the edit clears the diagnostic', async () => {
    const root = project();
    const client = await started(root);
    const ini = join(root, 'pytest.ini');
    const test_a = join(root, 'tests', 'test_a.py');
    await client.open(test_a, UNSAVED, 'python');
    const diagnostics = await client.diagnosticsOf(test_a, (ds) => ds.length > 0);
    const actions = await codeActions(client, test_a, diagnostics);
    assert.deepEqual(
      actions.map((a) => [a.title, a.kind, a.isPreferred ?? false]),
      [
        ['Register slow in markers', 'quickfix', true],
        ['Ignore registered-markers on this line', 'quickfix', false],
      ],
    );
    // Applied to the config (the client opens it with the edit): the finding in the module goes away.
    const texts = applyWorkspaceEdit(actions[0]!.edit!, new Map([[uri(ini), INI]]));
    const fixed = texts.get(uri(ini))!;
    assert.match(fixed, /^\[pytest\]\r\n# the suite\r\n/);
    assert.match(fixed, /\r\nmarkers =\r\n {4}slow\r\n/);
    await client.open(ini, fixed, 'ini');
    await client.diagnosticsOf(test_a, (ds) => ds.length === 0, 'the registered-markers finding cleared');
    // The ignore action inserts the suppression comment above the finding.
    const ignored = applyWorkspaceEdit(actions[1]!.edit!, new Map([[uri(test_a), UNSAVED]])).get(uri(test_a));
    assert.equal(ignored, 'import pytest\n\n\n# netra-migrate: ignore[registered-markers]\n@pytest.mark.slow\ndef test_a():\n    pass\n');
    assert.equal(await client.stop(), 0);
  });

  test('cross-file: a conftest buffer re-checks the tests it governs, a dependency list buffer the plugin findings', async () => {
    const root = writeTree({
      'pytest.ini': INI,
      'tests/test_a.py': UNSAVED.replace('slow', 'nightly'),
      'tests/conftest.py': 'import pytest\n',
      'requirements.txt': 'pytest\n',
    });
    const client = await started(root);
    const ini = join(root, 'pytest.ini');
    const test_a = join(root, 'tests', 'test_a.py');
    await client.diagnosticsOf(test_a, (ds) => rulesOf(ds).includes('registered-markers'));
    // The conftest on disk registers nothing; its unsaved text registers the mark: the module's finding goes.
    await client.open(
      join(root, 'tests', 'conftest.py'),
      'def pytest_configure(config):\n    config.addinivalue_line("markers", "nightly: slow")\n',
      'python',
    );
    await client.diagnosticsOf(test_a, (ds) => ds.length === 0, 'the module re-checked under the new conftest');
    // Without pytest-timeout among the dependencies the timeout fix also adds it there; with it, it does not.
    const timeoutMessage = () => {
      const m = client.diagnostics.get(uri(ini))?.diagnostics.find((d) => d.code === 'require-timeout')?.message;
      return typeof m === 'string' ? m : m?.value;
    };
    assert.match(timeoutMessage() ?? '', /the fix also adds pytest-timeout to requirements\.txt$/);
    await client.open(join(root, 'requirements.txt'), 'pytest\npytest-timeout\n', 'pip-requirements');
    await client.until(
      'the config re-checked under the new dependency list',
      () => !/requirements/.test(timeoutMessage() ?? 'requirements'),
    );
    assert.match(timeoutMessage()!, /^no per-test timeout: /);
    assert.equal(await client.stop(), 0);
  });

  test('an unsafe fix is titled as such and never preferred', async () => {
    const root = project();
    const client = await started(root);
    const ini = join(root, 'pytest.ini');
    const diagnostics = client.diagnostics.get(uri(ini))!.diagnostics.filter((d) => d.code === 'require-fail-fast');
    assert.equal(diagnostics.length, 1);
    const [fix] = await codeActions(client, ini, diagnostics);
    assert.equal(fix!.title, 'Add --maxfail=10 to addopts (unsafe fix)');
    assert.equal(fix!.isPreferred, undefined);
    assert.equal(await client.stop(), 0);
  });

  test('source.fixAll.netra-migrate gives exactly what `fix --write FILE` writes', async () => {
    const root = project();
    const client = await started(root);
    const ini = join(root, 'pytest.ini');
    await client.open(ini, INI, 'ini');
    const actions = await codeActions(client, ini, [], ['source.fixAll']);
    assert.equal(actions.length, 1);
    assert.equal(actions[0]!.kind, 'source.fixAll.netra-migrate');
    const texts = applyWorkspaceEdit(actions[0]!.edit!, new Map([[uri(ini), INI]]));
    const copy = copyToTemp(root);
    const cli = runCli(['fix', '--write', 'pytest.ini'], copy);
    // What is left are warnings under the default preset.
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(texts.get(uri(ini)), readFileSync(join(copy, 'pytest.ini'), 'utf8'));
    // The monitor the safe fix installs beside the test root's conftest.py, both created with the CLI's text.
    const created = ['tests/conftest.py', 'tests/pytest_memory_plugin.py'];
    for (const f of created) assert.equal(texts.get(uri(join(root, f))), readFileSync(join(copy, f), 'utf8'), f);
    assert.deepEqual([...texts.keys()].sort(), [uri(ini), ...created.map((f) => uri(join(root, f)))].sort());
    assert.equal(await client.stop(), 0);
  });

  test('settings from workspace/configuration set rules, and the tool config wins over them', async () => {
    const root = project();
    const client = await started(root, { rules: { 'require-fail-fast': 'off', 'require-timeout': 'warn' } });
    const ini = join(root, 'pytest.ini');
    const ds = client.diagnostics.get(uri(ini))!.diagnostics;
    assert.ok(!rulesOf(ds).includes('require-fail-fast'));
    assert.equal(ds.find((d) => d.code === 'require-timeout')?.severity, 2);
    assert.equal(await client.stop(), 0);

    const withConfig = writeTree({
      'pytest.ini': INI,
      'tests/test_a.py': ON_DISK,
      '.netra-migrate.json': JSON.stringify({ rules: { 'require-timeout': 'error' } }),
    });
    const second = await started(withConfig, { rules: { 'require-timeout': 'warn' } });
    assert.equal(
      second.diagnostics.get(uri(join(withConfig, 'pytest.ini')))!.diagnostics.find((d) => d.code === 'require-timeout')?.severity,
      1,
    );
    assert.equal(await second.stop(), 0);
  });

  test('the first scan reports work-done progress, begin to end', async () => {
    const client = await started(project());
    await client.until('progress end', () => client.progress.some((p) => p.value.kind === 'end'));
    assert.deepEqual(
      client.progress.filter((p) => p.value.kind !== 'report').map((p) => p.value.kind),
      ['begin', 'end'],
    );
    assert.equal(client.progress[0]!.value.title, 'netra-migrate');
    assert.equal(await client.stop(), 0);
  });

  test('a broken buffer is one parse-error diagnostic at its line and column; nothing else is reported for it', async () => {
    const root = project();
    const client = await started(root);
    const ini = join(root, 'pytest.ini');
    await client.open(ini, '[pytest]\n  indented = first\n', 'ini');
    const ds = await client.diagnosticsOf(ini, (list) => list.some((d) => d.code === 'parse-error'));
    assert.deepEqual(rulesOf(ds), ['parse-error']);
    assert.equal(ds[0]!.range.start.line, 1);
    assert.equal(await client.stop(), 0);
  });

  test('check and fix never load the server: it is a chunk of its own that only `server` imports', () => {
    const dist = join(ROOT, 'dist');
    const serverCode = (f: string) => readFileSync(join(dist, f), 'utf8').includes('node_modules/vscode-languageserver/');
    // The files cli.js loads at start-up: its static imports, followed.
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const text = readFileSync(join(dist, file), 'utf8');
      for (const m of text.matchAll(/^import\s*(?:[^'"]*?\sfrom\s*)?["']\.\/([\w.-]+\.js)["']/gm)) visit(m[1]!);
    };
    visit('cli.js');
    assert.ok(loaded.size > 1, 'the start-up closure was read');
    assert.deepEqual([...loaded].filter(serverCode), []);
    const chunks = readdirSync(dist).filter((f) => f.endsWith('.js') && serverCode(f));
    assert.equal(chunks.length, 1);
    assert.match(readFileSync(join(dist, 'cli.js'), 'utf8'), new RegExp(`import\\("\\./${chunks[0]!.replace('.', '\\.')}"\\)`));
  });
});
