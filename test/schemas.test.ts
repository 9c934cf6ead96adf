/** The committed schemas are what the installed pytest and plugins declare (regenerated and compared). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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
