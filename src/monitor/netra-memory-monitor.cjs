// netra-memory-monitor 1.0.0, the Node memory monitor written by netra-migrate. `netra-migrate fix` updates this copy
// netra-migrate-sha256: {{checksum}}
// Jest loads it from `setupFilesAfterEnv`; Vitest through netra-memory-monitor.mjs in `setupFiles`. From
// your own setup file: require('./netra-memory-monitor.cjs').install(hooks, { limitMb, action }).
//
// Per test it measures the process's peak RSS (Linux: the kernel's high-water mark, reset before each test
// through /proc/self/clear_refs, so a test that allocates and frees is still seen; elsewhere RSS after the
// test) and the V8 heap in use. A test whose peak crosses the limit fails (action `fail`, the default) or is
// reported (`warn`); tests that start over it, holding what an earlier one left, are not blamed. When the
// test file ends it prints the file's peak and its heaviest tests.
//
// Settings, first found wins: environment NODE_TEST_MEMORY_LIMIT_MB (MB, `auto` or `off`),
// NODE_TEST_MEMORY_ACTION (`fail` or `warn`), NODE_TEST_MEMORY_REPORT_TOP (number of tests listed, 0 for
// none); then the options given to install(); then `auto`, `fail`, 3. `auto` is 80% of the container's
// memory limit (cgroup v2 or v1) or of physical memory, shared by NODE_TEST_MEMORY_WORKERS workers (default:
// one per CPU but one, as both runners start).
'use strict';

const fs = require('node:fs');
const os = require('node:os');

const VERSION = '1.0.0';
const MB = 1024 * 1024;

class MemoryLimitError extends Error {
  constructor(message) {
    super(message);
    this.name = 'MemoryLimitError';
    // The test is the culprit, not this file: no stack frames pointing here.
    this.stack = `${this.name}: ${message}`;
  }
}

function setting(env, name, options, key, fallback) {
  const fromEnv = env[name];
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: `environment variable ${name}` };
  if (options && options[key] !== undefined) return { value: options[key], source: `option ${key}` };
  return { value: fallback, source: 'default' };
}

function readNumber(path) {
  try {
    const text = fs.readFileSync(path, 'utf8').trim();
    if (text === 'max' || text === '') return null;
    const n = Number(text);
    // cgroup v1 writes "no limit" as a page-rounded 2^63.
    return Number.isFinite(n) && n > 0 && n < 2 ** 62 ? n : null;
  } catch {
    return null;
  }
}

/** The container's memory limit in bytes (cgroup v2, then v1), or null. */
function containerLimit(root) {
  const sys = root || process.env.NODE_TEST_MEMORY_SYSROOT || '';
  return readNumber(`${sys}/sys/fs/cgroup/memory.max`) ?? readNumber(`${sys}/sys/fs/cgroup/memory/memory.limit_in_bytes`);
}

function autoLimitMb(env) {
  const total = Math.min(containerLimit() ?? Infinity, os.totalmem());
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const workers = Number(env.NODE_TEST_MEMORY_WORKERS) > 0 ? Number(env.NODE_TEST_MEMORY_WORKERS) : Math.max(1, cpus - 1);
  return Math.floor((total * 0.8) / workers / MB);
}

/** The limit in MB (null when off); a bad value throws, naming where it came from. */
function resolveLimit(env, options) {
  const { value, source } = setting(env, 'NODE_TEST_MEMORY_LIMIT_MB', options, 'limitMb', 'auto');
  const text = String(value).trim().toLowerCase();
  if (text === 'off') return null;
  if (text === 'auto') return autoLimitMb(env);
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`netra-memory-monitor: ${source}: memory limit '${value}' is not a number of MB, 'auto' or 'off'`);
  return n;
}

function resolveAction(env, options) {
  const { value, source } = setting(env, 'NODE_TEST_MEMORY_ACTION', options, 'action', 'fail');
  if (value !== 'fail' && value !== 'warn') throw new Error(`netra-memory-monitor: ${source}: action '${value}' is not 'fail' or 'warn'`);
  return value;
}

function resolveTop(env, options) {
  const { value, source } = setting(env, 'NODE_TEST_MEMORY_REPORT_TOP', options, 'reportTop', 3);
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`netra-memory-monitor: ${source}: '${value}' is not a number of tests`);
  return n;
}

/** Peak RSS of the current test: reset the kernel's high-water mark before, read it after (Linux). */
function peakMeter() {
  let fd = null;
  try {
    fd = fs.openSync('/proc/self/clear_refs', 'w');
  } catch {
    fd = null;
  }
  return {
    exact: fd !== null,
    reset() {
      if (fd === null) return;
      try {
        fs.writeSync(fd, '5');
      } catch {
        fd = null;
      }
    },
    peak(before) {
      const now = process.memoryUsage.rss();
      if (fd === null) return Math.max(before, now);
      return Math.max(process.resourceUsage().maxRSS * 1024, now);
    },
  };
}

const mb = (bytes) => Math.round(bytes / MB);

/**
 * Register the monitor with a runner's hooks: `{ beforeEach, afterEach, afterAll, expect }` (Jest's globals,
 * or Vitest's exports). Returns the per-file state (for tests of the monitor itself).
 */
function install(hooks, options) {
  const env = process.env;
  const limitMb = resolveLimit(env, options);
  const action = resolveAction(env, options);
  const top = resolveTop(env, options);
  const write = (options && options.write) || ((line) => process.stderr.write(line + '\n'));
  const meter = peakMeter();
  const state = { limitMb, action, tests: [], peak: 0, over: [] };
  let before = 0;
  const currentName = () => {
    try {
      return (hooks.expect && hooks.expect.getState().currentTestName) || '(unnamed test)';
    } catch {
      return '(unnamed test)';
    }
  };
  const file = () => {
    try {
      return (hooks.expect && hooks.expect.getState().testPath) || '';
    } catch {
      return '';
    }
  };

  hooks.beforeEach(() => {
    meter.reset();
    before = process.memoryUsage.rss();
  });

  hooks.afterEach(() => {
    const peak = meter.peak(before);
    const heap = process.memoryUsage().heapUsed;
    const name = currentName();
    state.tests.push({ name, peak, growth: Math.max(0, peak - before), heap });
    state.peak = Math.max(state.peak, peak);
    // Only the test that crossed the limit is at fault; the ones after it may just inherit what it holds.
    if (limitMb === null || peak <= limitMb * MB || before > limitMb * MB) return;
    state.over.push(name);
    const message = `[MEMORY] ${name}: peak RSS ${mb(peak)} MB is over the limit of ${limitMb} MB (heap in use ${mb(heap)} MB)`;
    if (action === 'fail') throw new MemoryLimitError(message);
    write(message);
  });

  hooks.afterAll(() => {
    if (state.tests.length === 0) return;
    const heaviest = [...state.tests].sort((a, b) => b.growth - a.growth || b.peak - a.peak).slice(0, top);
    const where = file();
    const lines = [
      `[MEMORY] ${where ? where + ': ' : ''}${state.tests.length} tests, peak RSS ${mb(state.peak)} MB, limit ${limitMb === null ? 'off' : limitMb + ' MB'} (${action}${meter.exact ? '' : ', RSS after each test'})`,
      ...heaviest.map((t) => `[MEMORY]   ${t.name}: peak ${mb(t.peak)} MB, +${mb(t.growth)} MB during the test, heap ${mb(t.heap)} MB`),
    ];
    if (state.over.length > 0) lines.push(`[MEMORY]   over the limit: ${state.over.join(', ')}`);
    write(lines.join('\n'));
  });
  return state;
}

// Jest runs setupFilesAfterEnv with its hooks as globals. Vitest goes through the .mjs adapter instead
// (its hooks are globals only with `globals: true`, and installing twice would count every test twice).
if (!process.env.VITEST && typeof globalThis.afterEach === 'function' && typeof globalThis.beforeEach === 'function' && typeof globalThis.afterAll === 'function') {
  install({ beforeEach: globalThis.beforeEach, afterEach: globalThis.afterEach, afterAll: globalThis.afterAll, expect: globalThis.expect });
}

module.exports = { install, resolveLimit, containerLimit, MemoryLimitError, VERSION };
