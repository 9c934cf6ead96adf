/**
 * fix --write's batched writer (writeFilesAtomic): every file atomic (temporary sibling + rename), mode
 * kept, flushed before its rename, each directory with a rename flushed, a file changed on disk or
 * read-only left alone while the others are written, `done` told of each file in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import type { FileProblemError } from '../src/core/diagnostic.js';
import { readTextFile, writeFilesAtomic } from '../src/core/fs.js';
import { tempDir } from './support/env.js';

/** Run `body` with fs.fsync watched: the kinds (file or directory) and paths of what was flushed. */
async function watchingFsync<T>(body: () => Promise<T>): Promise<{ result: T; files: number; dirs: string[] }> {
  const original = fs.fsync;
  let files = 0;
  const dirs: string[] = [];
  fs.fsync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
    if (fs.fstatSync(fd).isDirectory()) dirs.push(fs.readlinkSync(`/proc/self/fd/${fd}`));
    else files++;
    original(fd, callback);
  }) as typeof fs.fsync;
  syncBuiltinESMExports();
  try {
    return { result: await body(), files, dirs };
  } finally {
    fs.fsync = original;
    syncBuiltinESMExports();
  }
}

test('150 files in three directories: all written atomically with their modes, each flushed, each directory flushed', async () => {
  const root = tempDir('netra-write-');
  const paths: string[] = [];
  for (let i = 0; i < 150; i++) {
    const dir = join(root, `d${i % 3}`);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `test_${i}.py`);
    writeFileSync(path, `x = ${i}\n`, { mode: i % 2 ? 0o640 : 0o755 });
    chmodSync(path, i % 2 ? 0o640 : 0o755);
    paths.push(path);
  }
  const items = paths.map((p, i) => ({ file: readTextFile(p), text: `x = ${i}  # fixed\n` }));
  const heard: [string, FileProblemError | null][] = [];
  const { files, dirs } = await watchingFsync(() => writeFilesAtomic(items, (file, problem) => heard.push([file.path, problem])));
  assert.deepEqual(
    heard,
    paths.map((p) => [p, null]),
  );
  paths.forEach((p, i) => {
    assert.equal(readFileSync(p, 'utf8'), `x = ${i}  # fixed\n`);
    assert.equal(statSync(p).mode & 0o777, i % 2 ? 0o640 : 0o755);
  });
  for (const d of ['d0', 'd1', 'd2'])
    assert.deepEqual(
      readdirSync(join(root, d)).filter((f) => f.endsWith('.tmp')),
      [],
    );
  assert.equal(files, 150);
  // Each directory flushed after its renames: once per batch it had a rename in, not once per file.
  assert.deepEqual(
    [...new Set(dirs)].sort(),
    ['d0', 'd1', 'd2'].map((d) => join(root, d)),
  );
  assert.ok(dirs.length <= 9, `${dirs.length} directory flushes`);
});

test('a file changed on disk since it was read, and a read-only file, are not written; the others are', async () => {
  const root = tempDir('netra-write-');
  const names = ['a.py', 'b.py', 'c.py', 'd.py'];
  for (const n of names) writeFileSync(join(root, n), `# ${n}\n`);
  chmodSync(join(root, 'c.py'), 0o444);
  const items = names.map((n) => ({ file: readTextFile(join(root, n)), text: `# ${n} fixed\n` }));
  writeFileSync(join(root, 'b.py'), '# b.py edited meanwhile\n');
  const heard: [string, string | null][] = [];
  await writeFilesAtomic(items, (file, problem) => heard.push([file.path, problem?.problem.message ?? null]));
  assert.deepEqual(heard, [
    [join(root, 'a.py'), null],
    [join(root, 'b.py'), 'file changed on disk since it was read; nothing written, run again'],
    [join(root, 'c.py'), 'file is read-only; netra-migrate does not write read-only files'],
    [join(root, 'd.py'), null],
  ]);
  assert.deepEqual(
    names.map((n) => readFileSync(join(root, n), 'utf8')),
    ['# a.py fixed\n', '# b.py edited meanwhile\n', '# c.py\n', '# d.py fixed\n'],
  );
  assert.deepEqual(readdirSync(root).sort(), names);
});
