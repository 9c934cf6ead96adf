/**
 * The pytest tables of generated TOML documents read as pytest reads them (Python's tomllib, then pytest's
 * typing of `ini_options` values as strings), or refused when tomllib refuses them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonAvailable } from './support/env.js';
import { generateToml } from './support/generate.js';
import { oracle } from './support/oracle.js';
import { tomlDifference } from './support/readings.js';

describe('TOML reader agrees with tomllib', { skip: pythonAvailable() }, () => {
  test('on 1,000 generated pytest tables (string forms, numbers, arrays with comments, duplicates, CRLF)', () => {
    const docs = generateToml(1000, 20261124);
    const expected = oracle(docs.map((text) => ({ kind: 'toml', text })));
    let refused = 0;
    docs.forEach((text, i) => {
      if (expected[i].error) refused++;
      const diff = tomlDifference(text, expected[i]);
      assert.equal(diff, null, `document ${i}: ${JSON.stringify(text)}\n${diff}`);
    });
    assert.ok(refused > 10 && refused < 500, `tomllib refused ${refused} of 1000`);
  });
});
