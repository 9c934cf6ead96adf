import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseIni } from '../src/formats/ini.js';
import { iniReading as reading } from './support/readings.js';
import { shlexSplit } from '../src/formats/shlex.js';
import { CORPUS, corpusAvailable, pythonAvailable } from './support/env.js';
import { generateIni, generateShlex } from './support/generate.js';
import { oracle } from './support/oracle.js';

function corpusIniFiles(): string[] {
  return readdirSync(CORPUS, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ini|cfg)$/.test(f))
    .map((f) => join(CORPUS, f))
    .sort();
}

describe('INI reader agrees with iniconfig', { skip: pythonAvailable() }, () => {
  test('on every INI/CFG file of the corpus: values, sections and errors', { skip: corpusAvailable() }, () => {
    const files = corpusIniFiles();
    assert.ok(files.length >= 10, `expected the corpus INI files, found ${files.length}`);
    const texts = files.map((f) => readFileSync(f, 'utf8'));
    const expected = oracle(texts.map((text) => ({ kind: 'ini', text })));
    files.forEach((file, i) => assert.deepEqual(reading(parseIni(texts[i]!)), expected[i], file));
  });

  test('on 1,000 generated documents (CRLF, CR, BOM, unicode whitespace, comments inside values, odd sections)', () => {
    const docs = generateIni(1000, 20261124);
    const expected = oracle(docs.map((text) => ({ kind: 'ini', text })));
    let errors = 0;
    docs.forEach((text, i) => {
      const ours = reading(parseIni(text));
      if ('error' in ours) errors++;
      assert.deepEqual(ours, expected[i], `document ${i}: ${JSON.stringify(text)}`);
    });
    // Both outcomes must be well represented, or the comparison proves little.
    assert.ok(errors > 100 && errors < 900, `errors in ${errors} of 1000 documents`);
  });
});

describe('shlex split agrees with Python', { skip: pythonAvailable() }, () => {
  test('on 1,000 generated argument strings, token for token, with ranges that slice back', () => {
    const inputs = generateShlex(1000);
    const expected = oracle(inputs.map((text) => ({ kind: 'shlex', text })));
    inputs.forEach((s, i) => {
      let ours: unknown;
      try {
        const tokens = shlexSplit(s);
        for (const t of tokens)
          assert.ok(t.end > t.start && !/^\s/.test(s.slice(t.start, t.end)), `range of ${JSON.stringify(t)} in ${JSON.stringify(s)}`);
        ours = { tokens: tokens.map((t) => t.value) };
      } catch (e) {
        ours = { error: (e as Error).message };
      }
      assert.deepEqual(ours, expected[i], JSON.stringify(s));
    });
  });
});

describe('INI line classification', () => {
  test('keeps offsets and line endings, reads inline comments as data like iniconfig', () => {
    const text = '[pytest]\r\ntestpaths = tests # main\r\naddopts =\r\n    -ra\r\n    # dropped comment\r\n    -q\r\n';
    const doc = parseIni(text);
    assert.equal(doc.error, null);
    assert.deepEqual(
      doc.lines.map((l) => l.kind),
      ['section', 'key', 'key', 'continuation', 'comment', 'continuation'],
    );
    const [testpaths, addopts] = doc.sections[0]!.entries;
    assert.equal(testpaths!.value, 'tests # main');
    assert.equal(addopts!.value, '-ra\n-q');
    assert.equal(text.slice(doc.lines[1]!.end, doc.lines[1]!.eolEnd), '\r\n');
    assert.equal(text.slice(testpaths!.keyLine.dataStart, testpaths!.keyLine.dataEnd), 'tests # main');
  });

  test('a BOM is part of line 1 and an error, as in pytest', () => {
    assert.deepEqual(parseIni('\ufeff[pytest]\n').error, { line: 1, message: "unexpected line: '\\ufeff[pytest]'" });
  });

  test('errors carry iniconfig messages and 1-based lines', () => {
    assert.deepEqual(parseIni('[pytest]\na = 1\na = 2\n').error, { line: 3, message: "duplicate name 'a'" });
    assert.deepEqual(parseIni('  indented\n').error, { line: 1, message: 'unexpected value continuation' });
    assert.deepEqual(parseIni('a = 1\n[s]\n').error, { line: 1, message: 'no section header defined' });
    assert.deepEqual(parseIni('[s]\n[s]\n').error, { line: 2, message: "duplicate section 's'" });
  });
});
