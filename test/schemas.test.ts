/** The committed schemas are what the installed pytest, plugins, Jest and Vitest declare (regenerated and compared). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { knownKeyNames, knownPlugins } from '../src/runners/pytest/schema.js';
import { ROOT, pythonAvailable, runPython, tempDir } from './support/env.js';

test('schemas/ matches a fresh generation from pytest and its plugins', { skip: pythonAvailable() }, () => {
  const copy = tempDir('netra-schemas-');
  mkdirSync(join(copy, 'scripts'));
  mkdirSync(join(copy, 'schemas'));
  cpSync(join(ROOT, 'scripts', 'gen-schemas.py'), join(copy, 'scripts', 'gen-schemas.py'));
  cpSync(join(ROOT, 'schemas', 'refinements.json'), join(copy, 'schemas', 'refinements.json'));
  const r = runPython([join(copy, 'scripts', 'gen-schemas.py')], { cwd: copy });
  assert.equal(r.code, 0, r.stderr);
  const generated = readdirSync(join(copy, 'schemas')).filter((f) => f.endsWith('.schema.json'));
  assert.deepEqual(generated.sort(), ['pytest-asyncio.schema.json', 'pytest-cov.schema.json', 'pytest-timeout.schema.json', 'pytest-xdist.schema.json', 'pytest.schema.json']);
  for (const f of generated) {
    assert.deepEqual(JSON.parse(readFileSync(join(copy, 'schemas', f), 'utf8')), JSON.parse(readFileSync(join(ROOT, 'schemas', f), 'utf8')), f);
  }
});

test('schemas/ for Jest and Vitest match a fresh generation from the installed runners', () => {
  const copy = tempDir('netra-js-schemas-');
  mkdirSync(join(copy, 'scripts'));
  mkdirSync(join(copy, 'schemas'));
  cpSync(join(ROOT, 'scripts', 'gen-js-schemas.mts'), join(copy, 'scripts', 'gen-js-schemas.mts'));
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(copy, 'scripts', 'gen-js-schemas.mts')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['jest-config.schema.json', 'vitest-config.schema.json']) {
    assert.deepEqual(JSON.parse(readFileSync(join(copy, 'schemas', f), 'utf8')), JSON.parse(readFileSync(join(ROOT, 'schemas', f), 'utf8')), f);
  }
});

test("pytest's known keys and plugins are pytest's alone (the Jest and Vitest schemas are not merged in)", () => {
  assert.deepEqual(knownPlugins(), ['pytest-asyncio', 'pytest-cov', 'pytest-memory-plugin', 'pytest-timeout', 'pytest-xdist', 'pytest']);
  for (const key of ['testTimeout', 'roots', 'poolOptions']) assert.equal(knownKeyNames().includes(key), false, key);
});
