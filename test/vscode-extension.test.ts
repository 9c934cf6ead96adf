/**
 * The VS Code extension builds and packs as a .vsix offline (@vscode/vsce, --no-dependencies), with the bundled
 * client inside, and its README lists every activation event and setting its manifest declares.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './support/env.js';

const EXT = join(ROOT, 'editors', 'vscode');
const manifest = JSON.parse(readFileSync(join(EXT, 'package.json'), 'utf8')) as {
  activationEvents: string[];
  main: string;
  contributes: { configuration: { properties: Record<string, unknown> }; commands: { command: string }[] };
};

test('the extension packs as a .vsix without the network, the language client bundled in', () => {
  const vsix = join(tempDir(), 'netra-migrate.vsix');
  const r = spawnSync(process.execPath, [join(EXT, 'build.mjs'), '--package', vsix], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const list = spawnSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix], {
    encoding: 'utf8',
  });
  assert.equal(list.status, 0, list.stderr);
  const files = list.stdout.trim().split('\n').sort();
  for (const f of [
    'extension/package.json',
    'extension/readme.md',
    'extension/LICENSE.txt',
    'extension/dist/extension.js',
    'extension.vsixmanifest',
  ])
    assert.ok(files.includes(f), `${f} missing from ${files.join(', ')}`);
  assert.ok(!files.some((f) => f.startsWith('extension/src/') || f.startsWith('extension/node_modules/')), files.join(', '));
  const bundle = readFileSync(join(EXT, manifest.main), 'utf8');
  assert.match(bundle, /require\("vscode"\)/);
  assert.doesNotMatch(bundle, /require\("vscode-languageclient/);
});

test("the extension's README lists its activation events, settings and commands", () => {
  const readme = readFileSync(join(EXT, 'README.md'), 'utf8');
  const declared = [
    ...manifest.activationEvents,
    ...Object.keys(manifest.contributes.configuration.properties),
    ...manifest.contributes.commands.map((c) => c.command),
  ];
  assert.ok(declared.length > 10);
  for (const name of declared) assert.ok(readme.includes(`\`${name}\``), `README.md does not list ${name}`);
});
