/**
 * What users (and attackers) throw at it: each case ends with a clear message and exit 2 where nothing could
 * be done, never writes outside the project or to a file that failed to parse, and never runs user code.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileProblemError } from '../src/core/diagnostic.js';
import { readTextFile, writeFileAtomic } from '../src/core/fs.js';
import { CLI, runCli, tempDir, writeTree } from './support/env.js';

const SEED = '[pytest]\ntestpaths = tests other\naddopts = -ra\n';

describe('hostile and broken input', () => {
  test('a 50 MB config is refused before it is read', () => {
    const dir = writeTree({ 'pytest.ini': '[pytest]\n' + 'x'.repeat(50 * 1024 * 1024) + '\n' });
    const r = runCli(['check'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pytest\.ini:1:1: error: file is 50\.0 MB; netra-migrate reads files up to 10 MB$/m);
  });

  test('deeply nested TOML arrays: one message, no crash', () => {
    const depth = 20000;
    const dir = writeTree({ 'pyproject.toml': `[tool.pytest.ini_options]\nx = ${'['.repeat(depth)}${']'.repeat(depth)}\n` });
    const r = runCli(['check'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^pyproject\.toml:1:1: error: invalid TOML: values nested too deeply to read$/m);
    assert.doesNotMatch(r.stderr, /internal error|RangeError|Maximum call stack/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  test('a syntax error on every line is one message, for the first', () => {
    const dir = writeTree({ 'pytest.ini': Array.from({ length: 500 }, (_, i) => `garbage line ${i}`).join('\n') + '\n' });
    const r = runCli(['fix', '--write', '--unsafe'], dir);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^pytest\.ini:1:1: error: /);
  });

  test('a symbolic link loop: the walk does not hang, the link given is refused with a message', () => {
    const dir = writeTree({ 'pytest.ini': SEED });
    symlinkSync('b', join(dir, 'a'));
    symlinkSync('a', join(dir, 'b'));
    const walk = runCli(['check', '-f', 'json'], dir);
    assert.equal(walk.code, 0, walk.stderr); // policy findings only: warnings under the default preset
    const given = runCli(['check', 'a'], dir);
    assert.equal(given.code, 2);
    assert.match(given.stderr, /^a:1:1: error: cannot read file: too many levels of symbolic links$/m);
  });

  test('a config that is a link out of the project is read but never written, nor replaced', () => {
    const outside = writeTree({ 'pytest.ini': SEED });
    const dir = tempDir();
    symlinkSync(join(outside, 'pytest.ini'), join(dir, 'pytest.ini'));
    const check = runCli(['check', '-f', 'json'], dir);
    assert.equal(check.code, 0, check.stderr); // several roots: a warning under the default preset
    assert.ok((JSON.parse(check.stdout) as { rule: string }[]).some((f) => f.rule === 'single-test-root'));
    const r = runCli(['fix', '--write', '--unsafe'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^pytest\.ini:1:1: error: is a symbolic link to .*; netra-migrate does not write through links/m);
    assert.equal(readFileSync(join(outside, 'pytest.ini'), 'utf8'), SEED, 'the target outside is untouched');
    assert.ok(lstatSync(join(dir, 'pytest.ini')).isSymbolicLink(), 'the link is still a link');
    assert.equal(readlinkSync(join(dir, 'pytest.ini')), join(outside, 'pytest.ini'));
    assert.equal(existsSync(join(dir, 'pytest_memory_plugin.py')), false, 'nothing else written either');
  });

  test(
    'an unreadable file: one message naming it',
    { skip: process.getuid?.() === 0 ? 'running as root, which reads every file' : false },
    () => {
      const dir = writeTree({ 'pytest.ini': SEED });
      chmodSync(join(dir, 'pytest.ini'), 0);
      const r = runCli(['check'], dir);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /pytest\.ini: error: cannot read file: /);
    },
  );

  test('a directory named pytest.ini inside the tree is not a config', () => {
    const dir = writeTree({ 'pytest.ini/inner.txt': 'x', 'sub/pytest.ini': SEED });
    const r = runCli(['check', '-f', 'json'], dir);
    assert.equal(r.code, 0, r.stderr); // warnings only, from sub/pytest.ini
    assert.deepEqual([...new Set((JSON.parse(r.stdout) as { file: string }[]).map((f) => f.file))], ['sub/pytest.ini']);
  });

  test('a file changed on disk between read and write is not overwritten', () => {
    const dir = writeTree({ 'pytest.ini': SEED });
    const file = join(dir, 'pytest.ini');
    const loaded = readTextFile(file);
    writeFileSync(file, SEED + 'timeout = 5\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.throws(
      () => writeFileAtomic(loaded, '[pytest]\n'),
      (e: unknown) => e instanceof FileProblemError && /changed on disk since it was read/.test(e.problem.message),
    );
    assert.equal(readFileSync(file, 'utf8'), SEED + 'timeout = 5\n');
  });

  test('two fix --write runs at once: the file ends fixed once, and a third run changes nothing', async () => {
    // A conftest.py beside the config: the memory monitor is loaded from it (two roots, so no test root).
    const dir = writeTree({ 'pytest.ini': SEED, 'conftest.py': '', 'tests/test_a.py': '' });
    const run = () =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const p = spawn(process.execPath, [CLI, 'fix', '--write'], { cwd: dir });
        let err = '';
        p.stderr.on('data', (d) => (err += d));
        p.on('close', (code) => resolve({ code, err }));
      });
    const results = await Promise.all([run(), run()]);
    for (const r of results) assert.ok([0, 1, 2].includes(r.code ?? -1), r.err);
    for (const r of results.filter((x) => x.code === 2)) assert.match(r.err, /changed on disk since it was read|appeared on disk/);
    const text = readFileSync(join(dir, 'pytest.ini'), 'utf8');
    assert.equal(text.match(/^memory_limit_mb = /gm)?.length, 1, text);
    const again = runCli(['fix'], dir);
    assert.equal(again.stdout, '', 'converged');
  });

  test('a jest.config.js that would write a file when executed is never executed', () => {
    const dir = writeTree({
      'pytest.ini': SEED,
      'jest.config.js':
        "require('fs').writeFileSync(require('path').join(__dirname, 'PWNED'), 'x');\nmodule.exports = { roots: ['a', 'b'] };\n",
      'vitest.config.ts': "import { writeFileSync } from 'node:fs';\nwriteFileSync('PWNED2', 'x');\nexport default {};\n",
    });
    const checked = runCli(['check', '--format', 'compact'], dir);
    // Read statically all the same: the roots are found, and the computed-free Vitest config is checked.
    assert.match(checked.stdout, /jest\.config\.js: line 2, col 27, Warning - Jest `roots` lists 2 roots.*\(single-test-root\)/);
    runCli(['fix', '--write', '--unsafe'], dir);
    assert.equal(existsSync(join(dir, 'PWNED')), false);
    assert.equal(existsSync(join(dir, 'PWNED2')), false);
  });

  test('a JS/TS config or package.json that does not parse is one message with file and line, exit 2, and only what depends on it is held back', () => {
    const files = {
      'pytest.ini': SEED,
      'jest.config.js': "module.exports = {\n  roots: ['a',\n  testTimeout: 5000,\n};\n",
      'web/package.json': '{\n  "jest": { "roots": [1,, ] }\n',
    };
    const dir = writeTree(files);
    const r = runCli(['fix', '--write', '--unsafe'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^jest\.config\.js:3:14: error: JavaScript\/TypeScript syntax error: ',' expected\.$/m);
    assert.match(r.stderr, /^web\/package\.json:3:1: error: JSON syntax error: '\}' expected\.$/m);
    // The broken files are untouched, and so is the Jest monitor their fix would install; the pytest config,
    // which depends on neither, is fixed (issue 20.6).
    for (const name of ['jest.config.js', 'web/package.json'] as const)
      assert.equal(readFileSync(join(dir, name), 'utf8'), files[name], name);
    assert.equal(existsSync(join(dir, 'netra-memory-monitor.cjs')), false);
    assert.match(readFileSync(join(dir, 'pytest.ini'), 'utf8'), /^timeout = \d+$/m);
    assert.match(r.stderr, /^(fixed \d+ problems? in \d+ files?|wrote \d+ files? \(.*pytest\.ini.*\))/m);
  });

  test('fix on a subdirectory fixes the config governing it, and writes the monitor next to that config', () => {
    const parent = writeTree({ 'pytest.ini': SEED });
    mkdirSync(join(parent, 'sub'));
    const before = readFileSync(join(parent, 'pytest.ini'), 'utf8');
    const r = runCli(['fix', '--write', '--unsafe'], join(parent, 'sub'));
    assert.ok([0, 1].includes(r.code), r.stderr);
    const after = readFileSync(join(parent, 'pytest.ini'), 'utf8');
    assert.notEqual(after, before, 'the governing config is the one fixed');
    assert.equal(existsSync(join(parent, 'sub', 'pytest_memory_plugin.py')), false);
  });
});
