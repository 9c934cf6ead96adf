/**
 * Real configs from public repositories (../shared/corpus, read in place, never copied into the project):
 * TOML read as tomllib reads it, and `fix --unsafe` on each converges, re-parses, is idempotent and keeps
 * every comment line.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPytestConfig } from '../src/runners/pytest/config.js';
import { check, fix } from '../src/index.js';
import { CORPUS, copyCorpusFile, corpusAvailable, pythonAvailable, tempDir } from './support/env.js';
import { oracle } from './support/oracle.js';
import { pytestView } from './support/readings.js';

const skip = corpusAvailable();
const files = skip
  ? []
  : readdirSync(CORPUS, { recursive: true, encoding: 'utf8' })
      .filter((f) => /(^|\/)(pytest\.ini|\.pytest\.ini|tox\.ini|setup\.cfg|pyproject\.toml|pytest\.toml)$/.test(f))
      .sort();

describe('corpus', { skip }, () => {
  test('TOML pytest tables read as Python tomllib reads them', { skip: pythonAvailable() }, () => {
    const tomls = files.filter((f) => f.endsWith('.toml'));
    assert.ok(tomls.length >= 15, `${tomls.length} TOML files`);
    const texts = tomls.map((f) => readFileSync(join(CORPUS, f), 'utf8'));
    const expected = oracle(texts.map((text) => ({ kind: 'toml', text })));
    let compared = 0;
    tomls.forEach((f, i) => {
      assert.ok(expected[i].data, `${f}: tomllib error ${expected[i].error}`);
      const config = loadPytestConfig(join(CORPUS, f), texts[i]!);
      if (!config) {
        assert.deepEqual(expected[i].data?.tool?.pytest, undefined, `${f}: pytest config missed`);
        return;
      }
      const ours = Object.fromEntries(config.entries.map((e) => [e.key, e.raw]));
      assert.deepEqual(ours, pytestView(expected[i].data, config.mode), f);
      compared++;
    });
    assert.ok(compared >= 15, `compared ${compared}`);
  });

  for (const f of files) {
    test(`fix --unsafe on ${f}: converges, re-parses, second run changes nothing, comment lines kept`, async () => {
      const dir = tempDir('netra-corpus-');
      const name = f.split('/').pop()!;
      copyCorpusFile(join(CORPUS, f), join(dir, name));
      const before = readFileSync(join(dir, name), 'utf8');
      const first = await fix({ cwd: dir, paths: ['.'], unsafe: true, write: true });
      assert.deepEqual(first.problems, []);
      assert.ok(first.passes < 10, `${first.passes} passes`);
      const after = readFileSync(join(dir, name), 'utf8');
      assert.doesNotThrow(() => loadPytestConfig(join(dir, name), after));
      const second = await fix({ cwd: dir, paths: ['.'], unsafe: true, write: true });
      assert.deepEqual(second.changes, [], 'second fix changes nothing');
      const comments = (t: string) =>
        t
          .split(/\r?\n/)
          .filter((l) => /^\s*[#;]/.test(l))
          .map((l) => l.trim());
      const kept = new Set(comments(after));
      assert.deepEqual(
        comments(before).filter((c) => !kept.has(c)),
        [],
        'lost comment lines',
      );
    });
  }
});

/** The Jest and Vitest configs of the corpus, each under the name its runner looks for. */
const JS_CONFIG =
  /(^|__|\/)(package\.json|jest\.config\.[a-z]+|vitest\.config\.[a-z]+|vite\.config\.[a-z]+|vitest\.workspace\.[a-z]+)(@[\w-]+)?$/;
const jsFiles = skip
  ? []
  : readdirSync(CORPUS, { recursive: true, encoding: 'utf8' })
      .filter((f) => JS_CONFIG.test(f))
      .sort();

describe('corpus: Jest and Vitest configs', { skip }, () => {
  test('the corpus holds Jest and Vitest configs', () => assert.ok(jsFiles.length >= 8, `${jsFiles.length} files`));

  for (const f of jsFiles) {
    test(`${f}: read, findings located, fix --unsafe converges to a file that parses, keys and values kept`, async () => {
      const dir = tempDir('netra-corpus-js-');
      const name = JS_CONFIG.exec(f)![2]!;
      copyCorpusFile(join(CORPUS, f), join(dir, name));
      const before = readFileSync(join(dir, name), 'utf8');
      const checked = await check({ cwd: dir, paths: ['.'] });
      assert.deepEqual(checked.problems, []);
      if (name === 'package.json' && !/"jest"\s*:/.test(before)) return;
      assert.ok(checked.diagnostics.length > 0, 'every corpus config lacks at least one limit');
      const first = await fix({ cwd: dir, paths: ['.'], unsafe: true, write: true });
      assert.deepEqual(first.problems, []);
      assert.ok(first.passes < 10, `${first.passes} passes`);
      const after = readFileSync(join(dir, name), 'utf8');
      const parsed = JSON.parse(after.replace(/^\uFEFF/, '')) as Record<string, unknown>;
      const second = await fix({ cwd: dir, paths: ['.'], unsafe: true, write: true });
      assert.deepEqual(second.changes, [], 'second fix changes nothing');
      // Outside the Jest options nothing moved: every other top-level key of package.json reads as before.
      const original = JSON.parse(before.replace(/^\uFEFF/, '')) as Record<string, unknown>;
      for (const key of Object.keys(original))
        if (key !== 'jest' && name === 'package.json') assert.deepEqual(parsed[key], original[key], key);
    });
  }
});
