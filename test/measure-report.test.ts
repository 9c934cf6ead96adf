/**
 * The measure renderers and the saved-measurement reader, on fixed measurements (no runner started): the
 * citation single-test-root prints, the guards of the reader, escaping in every format, and bar heights
 * proportional to the values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  citeMeasurement,
  readMeasurement,
  type ConfigMeasurement,
  type Measurement,
  type RunMeasurement,
} from '../src/runners/pytest/measurement.js';
import { measureHtml } from '../src/reporters/measure-html.js';
import { measureMarkdown } from '../src/reporters/measure-markdown.js';
import { measureTable } from '../src/reporters/measure-table.js';
import { tempDir } from './support/env.js';

const run = (root: string, tests: number, seconds: number, peakMb: number, error: string | null = null): RunMeasurement => ({
  root,
  tests,
  seconds,
  peakMb,
  exitCode: error ? 2 : 0,
  error,
});

const CONFIG: ConfigMeasurement = {
  config: 'pytest.ini',
  runner: 'pytest',
  unit: 'tests',
  roots: [
    run('tests', 210, 6.2, 210),
    run('netra_backend/tests', 1330, 41.4, 1433.6),
    run('auth|<b>x</b>', 3, 0.4, 32, 'auth/test_a.py: ImportError: <x> | y'),
  ],
  all: run('all', 1543, 63.3, 1700),
  after: { roots: [run('tests', 210, 6.1, 208)], all: run('all', 210, 6.1, 208) },
};
const MEASUREMENT: Measurement = { version: 1, base: '/p', measuredAt: '2026-12-04T00:00:00.000Z', configs: [CONFIG] };

test('single-test-root cites a measured root as the issue shows it', () => {
  assert.equal(
    citeMeasurement(CONFIG, ['netra_backend/tests']),
    'collecting `netra_backend/tests` alone: 1,330 tests, 41 s, 1.4 GB; all together: 1,543 tests, 63 s, 1.7 GB',
  );
  assert.equal(citeMeasurement(CONFIG, ['not-measured']), null);
});

test('the reader ignores, with the reason, what is not a measurement: wrong shape, not JSON, too big, a directory', () => {
  const dir = tempDir('netra-measure-read-');
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  assert.deepEqual(readMeasurement(write('ok.json', JSON.stringify(MEASUREMENT))), { measurement: MEASUREMENT });
  assert.deepEqual(readMeasurement(write('v2.json', JSON.stringify({ ...MEASUREMENT, version: 2 }))), {
    note: 'unknown version (expected 1)',
  });
  const badRun = { ...MEASUREMENT, configs: [{ ...CONFIG, roots: [{ ...CONFIG.roots[0], seconds: 'fast' }] }] };
  assert.deepEqual(readMeasurement(write('shape.json', JSON.stringify(badRun))), {
    note: 'configs[0] does not have the shape of a measured config',
  });
  const negative = { ...MEASUREMENT, configs: [{ ...CONFIG, all: { ...CONFIG.all, peakMb: -1 } }] };
  assert.ok('note' in readMeasurement(write('negative.json', JSON.stringify(negative))));
  assert.match((readMeasurement(write('broken.json', '{"version": 1,')) as { note: string }).note, /^not JSON \(/);
  assert.match(
    (readMeasurement(write('big.json', ' '.repeat(1024 * 1024 + 1))) as { note: string }).note,
    /file is 1\.0 MB; netra-migrate reads files up to 1 MB/,
  );
  mkdirSync(join(dir, 'dir.json'));
  assert.match((readMeasurement(join(dir, 'dir.json')) as { note: string }).note, /is a directory/);
});

test('the terminal table: each root, then all, after-fix columns beside; a dropped root shows —; errors listed', () => {
  assert.equal(
    measureTable(MEASUREMENT),
    [
      'pytest.ini (pytest, counting tests)',
      '  root                 tests  seconds  peak MB  exit  after: tests  seconds  peak MB  exit',
      '  tests                  210     6.20    210.0     0           210     6.10    208.0     0',
      '  netra_backend/tests  1,330    41.40   1433.6     0             —        —        —     —',
      '  auth|<b>x</b>            3     0.40     32.0     2             —        —        —     —',
      '  all                  1,543    63.30   1700.0     0           210     6.10    208.0     0',
      '  auth|<b>x</b>: auth/test_a.py: ImportError: <x> | y',
      '',
      '',
    ].join('\n'),
  );
});

test('markdown: a table for a pull-request comment, cell text escaped', () => {
  const md = measureMarkdown(MEASUREMENT);
  assert.match(md, /^\| root \| tests \| seconds \| peak MB \| exit \| after fix: tests \| seconds \| peak MB \| exit \|$/m);
  assert.match(md, /^\| netra\\_backend/m);
  assert.match(md, /^\| auth\\\|\\<b\\>x\\<\/b\\> \| 3 \| 0\.40 \| 32\.0 \| 2 \| — \| — \| — \| — \|$/m);
  assert.match(md, /^\| \*\*all\*\* \| 1,543 \| 63\.30 \| 1700\.0 \| 0 \| 210 \| 6\.10 \| 208\.0 \| 0 \|$/m);
  assert.match(md, /^- auth\\\|\\<b\\>x\\<\/b\\>: auth\/test\\_a\.py: ImportError: \\<x\\> \\\| y$/m);
});

test('html: self-contained, names escaped, one bar per root and phase with heights proportional to the values', () => {
  const html = measureHtml(MEASUREMENT);
  assert.doesNotMatch(html, /<script|<b>x<\/b>|<x>/);
  assert.match(html, /auth\|&lt;b&gt;x&lt;\/b&gt;/);
  const bars = [
    ...html.matchAll(
      /<rect class="bar" data-root="([^"]*)" data-phase="(\w+)" data-metric="(\w+)" data-value="([^"]+)"[^>]* height="([^"]+)"/g,
    ),
  ].map((m) => ({ root: m[1], phase: m[2], metric: m[3], value: Number(m[4]), height: Number(m[5]) }));
  for (const metric of ['peakMb', 'seconds']) {
    const of = bars.filter((b) => b.metric === metric);
    assert.deepEqual(
      of.map((b) => `${b.root}/${b.phase}`),
      ['tests/before', 'tests/after', 'netra_backend/tests/before', 'auth|&lt;b&gt;x&lt;/b&gt;/before', 'all/before', 'all/after'],
    );
    const max = Math.max(...of.map((b) => b.value));
    for (const b of of) assert.ok(Math.abs(b.height - (b.value / max) * 200) < 0.01, `${metric} ${b.root}: ${b.height}`);
  }
});
