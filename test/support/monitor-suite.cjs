// Runs a pretend test file through the Node memory monitor's hooks, in a fresh process so no earlier
// allocation is still resident: argv[2] is JSON { options, tests: [{ name, allocateMb, keep, free }] }; prints
// JSON { errors, lines, over, tests } (what the monitor threw, wrote and recorded).
'use strict';
const monitor = require('../../src/monitor/netra-memory-monitor.cjs');

const { options, tests } = JSON.parse(process.argv[2]);
const hooks = { beforeEach: [], afterEach: [], afterAll: [] };
let current = '';
const lines = [];
const state = monitor.install(
  {
    beforeEach: (fn) => hooks.beforeEach.push(fn),
    afterEach: (fn) => hooks.afterEach.push(fn),
    afterAll: (fn) => hooks.afterAll.push(fn),
    expect: { getState: () => ({ currentTestName: current, testPath: 'suite.test.js' }) },
  },
  { ...options, write: (line) => lines.push(line) },
);
const errors = [];
const held = [];
for (const t of tests) {
  current = t.name;
  for (const f of hooks.beforeEach) f();
  let chunks = Array.from({ length: (t.allocateMb || 0) / 10 }, () => Buffer.alloc(10 * 1024 * 1024, 1));
  if (t.keep) held.push(chunks);
  if (t.free) {
    // Gone before the test ends (run with --expose-gc): only the high-water mark still knows.
    // V8 releases large backing stores on a background thread: collect and wait until RSS falls back
    // (at most 2 s), so the test measures the monitor and not the collector's timing.
    chunks = null;
    const start = process.memoryUsage.rss() - (t.allocateMb || 0) * 2 ** 20;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 40 && process.memoryUsage.rss() > start + 50 * 2 ** 20; i++) {
      global.gc();
      Atomics.wait(pause, 0, 0, 50);
    }
    t.rssAfterFreeMb = Math.round(process.memoryUsage.rss() / 2 ** 20);
  }
  try {
    for (const f of hooks.afterEach) f();
  } catch (e) {
    errors.push(`${e.name}: ${e.message}`);
  }
}
for (const f of hooks.afterAll) f();
const rssMb = Math.round(process.memoryUsage.rss() / 2 ** 20);
process.stdout.write(
  JSON.stringify({ errors, lines, over: state.over, tests: state.tests, freed: tests.map((t) => t.rssAfterFreeMb ?? null), rssMb }),
);
