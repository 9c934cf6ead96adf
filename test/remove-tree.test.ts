/**
 * Issue 26.12: the suite's scratch folder holds a tree deeper than PATH_MAX (the walk's path-depth case);
 * scripts/test.mjs removes it with removeTree, which never builds an over-long path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- a plain .mjs script without types
import { removeTree as untyped } from '../scripts/remove-tree.mjs';

const removeTree = untyped as (dir: string) => void;

/** A tree 25 directories of 200 characters deep (about 5,000 characters), with a file at the bottom and one midway. */
function deepTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netra-deep-'));
  writeFileSync(join(dir, 'top.txt'), 'x');
  const made = spawnSync('python3', [
    '-c',
    `import os\nos.chdir(${JSON.stringify(dir)})\nfor i in range(25):\n    os.mkdir('d' * 200)\n    os.chdir('d' * 200)\n    if i == 12:\n        os.mkdir('side')\n        open('mid.txt', 'w').write('x')\nopen('bottom.txt', 'w').write('x')\n`,
  ]);
  assert.equal(made.status, 0, String(made.stderr));
  return dir;
}

test('a tree deeper than PATH_MAX: rmSync fails with ENAMETOOLONG, removeTree removes it', () => {
  const first = deepTree();
  assert.throws(
    () => rmSync(first, { recursive: true, force: true }),
    (e: NodeJS.ErrnoException) => e.code === 'ENAMETOOLONG',
  );
  removeTree(first);
  assert.equal(existsSync(first), false);
  const second = deepTree();
  removeTree(second);
  assert.equal(existsSync(second), false);
});

test('an ordinary tree, and a root that does not exist', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netra-flat-'));
  writeFileSync(join(dir, 'a'), 'x');
  removeTree(dir);
  assert.equal(existsSync(dir), false);
  removeTree(dir);
});
