/**
 * A config text is read once while it is in use. A TOML text: a run reads one pyproject.toml as pytest config,
 * for its dependencies and for CI sites, and each fix pass again while it is unchanged (a 9 MB file took
 * seconds per read). A workflow: the CI analyzer and both environment models read each one. A tox.ini or
 * setup.cfg: each directory's lookup of its pytest config. The document is shared, so it must be the same
 * reading of the same text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseToml } from '../src/formats/toml.js';
import { loadYaml, parseAll, parseOne } from '../src/formats/yaml.js';
import { FileProblemError } from '../src/core/diagnostic.js';
import { Workspace } from '../src/core/workspace.js';
import { nearestActive } from '../src/runners/pytest/index.js';

test('the same text gives the same document, a changed text a new one; errors are remembered too', () => {
  const text = '[tool.pytest.ini_options]\ntestpaths = ["tests"]  # kept\n';
  const first = parseToml(text);
  assert.ok(first.ast);
  assert.equal(parseToml(`${text}`), first);
  const changed = parseToml(text.replace('tests', 'suite'));
  assert.notEqual(changed, first);
  assert.equal(changed.text.includes('suite'), true);
  const broken = parseToml('a = \n');
  assert.equal(broken.ast, null);
  assert.deepEqual(broken.error && [broken.error.line, broken.error.column], [2, 1]);
  assert.equal(parseToml('a = \n'), broken);
});

test('only a few documents are kept: after four other texts the first is read again', () => {
  const text = 'x = 1\n';
  const first = parseToml(text);
  for (let i = 0; i < 4; i++) parseToml(`y = ${i}\n`);
  const again = parseToml(text);
  assert.notEqual(again, first);
  assert.deepEqual(again.ast?.body[0]?.body.length, first.ast?.body[0]?.body.length);
});

test('a workflow is parsed once per text: the same document for the same text, a new one when it changes', async () => {
  const y = await loadYaml();
  const text = 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest  # kept\n';
  const first = parseOne(y, 'ci.yml', `${text}`);
  assert.equal(parseOne(y, 'ci.yml', text), first);
  assert.equal(String(first.getIn(['jobs', 'test', 'runs-on'])), 'ubuntu-latest');
  const changed = parseOne(y, 'ci.yml', text.replace('pytest', 'tox'));
  assert.notEqual(changed, first);
  // The same text under another name is its own reading (a problem names its file).
  assert.notEqual(parseOne(y, 'other.yml', text), first);
  // One file read as one document and as a stream: two readings.
  assert.notEqual(parseAll(y, 'ci.yml', text)[0], first);
  const errorOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e;
    }
    assert.fail('no error');
  };
  const broken = 'a: [\n';
  const e1 = errorOf(() => parseOne(y, 'bad.yml', broken));
  assert.ok(e1 instanceof FileProblemError);
  assert.equal(e1.problem.file, 'bad.yml');
  assert.equal(
    errorOf(() => parseOne(y, 'bad.yml', broken)),
    e1,
  );
});

test('each pytest config file is read once per run, however many directories look it up', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netra-read-once-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'tox.ini'), '[tox]\nenvlist = py3\n\n[pytest]\ntestpaths = tests\n');
  mkdirSync(join(dir, 'tests', 'unit'), { recursive: true });
  const ws = new Workspace();
  const fromTests = nearestActive(ws, join(dir, 'tests'));
  const fromUnit = nearestActive(ws, join(dir, 'tests', 'unit'));
  assert.equal(fromTests?.config.file, join(dir, 'tox.ini'));
  assert.equal(fromUnit?.config, fromTests?.config);
  // Another run reads the file afresh.
  assert.notEqual(nearestActive(new Workspace(), join(dir, 'tests'))?.config, fromTests?.config);
});

test('each directory is listed once per run, whichever walks go through it', async (t) => {
  const fs = (await import('node:fs')).default;
  const { syncBuiltinESMExports } = await import('node:module');
  const { walkDirs } = await import('../src/core/walk.js');
  const dir = mkdtempSync(join(tmpdir(), 'netra-list-once-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'tests', 'unit'), { recursive: true });
  mkdirSync(join(dir, 'ignored'));
  writeFileSync(join(dir, '.ignore'), 'ignored/\n');
  writeFileSync(join(dir, 'tests', 'unit', 'test_a.py'), 'def test_a():\n    pass\n');
  const listed: string[] = [];
  const original = fs.readdirSync;
  t.after(() => {
    (fs as { readdirSync: typeof original }).readdirSync = original;
    syncBuiltinESMExports();
  });
  (fs as { readdirSync: unknown }).readdirSync = (...args: Parameters<typeof original>) => {
    listed.push(String(args[0]));
    return original(...args);
  };
  syncBuiltinESMExports();
  const ws = new Workspace();
  // The run's walk leaves out what the ignore files say; a walk of everything (pytest's view) does not.
  assert.deepEqual(
    ws.walk(dir).map((d) => d.dir),
    [dir, join(dir, 'tests'), join(dir, 'tests', 'unit')],
  );
  assert.deepEqual(
    [...walkDirs(dir, ws.listingOptions)].map((d) => d.dir),
    [dir, join(dir, 'ignored'), join(dir, 'tests'), join(dir, 'tests', 'unit')],
  );
  assert.equal([...walkDirs(join(dir, 'tests'), ws.listingOptions)].length, 2);
  assert.deepEqual([...listed].sort(), [dir, join(dir, 'ignored'), join(dir, 'tests'), join(dir, 'tests', 'unit')].sort());
  // Another run lists afresh.
  new Workspace().walk(dir);
  assert.equal(listed.filter((d) => d === dir).length, 2);
});
