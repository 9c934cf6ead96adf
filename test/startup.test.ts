/**
 * Data recorded to spare a run work at start-up stays true to what it records: the memory monitor's
 * plugin reading (what `fix` learns from the plugin it installs) is what the Python reader reads from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/env.js';
import { readPluginModule } from '../src/formats/python-static.js';
import { MONITOR_READING } from '../src/generated/monitor.js';
import { monitorText } from '../src/monitor/stamp.js';

test("the memory monitor's recorded plugin reading is current and is what readPluginModule reads", async () => {
  const source = readFileSync(join(ROOT, 'src', 'monitor', 'pytest_memory_plugin.py'), 'utf8');
  const recorded = JSON.parse(readFileSync(join(ROOT, 'src', 'monitor', 'pytest_memory_plugin.reading.json'), 'utf8')) as {
    sha256: string;
    reading: unknown;
  };
  const read = await readPluginModule(monitorText());
  assert.equal(
    recorded.sha256,
    createHash('sha256').update(source).digest('hex'),
    `the plugin changed: record its reading again, ${JSON.stringify({ sha256: createHash('sha256').update(source).digest('hex'), reading: read })}`,
  );
  assert.deepEqual(recorded.reading, read);
  assert.deepEqual(MONITOR_READING, read);
  assert.ok(read.keys.includes('memory_limit_mb'), 'the reading names the keys the plugin registers');
});
