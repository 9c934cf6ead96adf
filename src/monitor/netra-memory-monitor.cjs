// netra-memory-monitor 1.2.0, the Node memory monitor written by netra-migrate. `netra-migrate fix` updates this copy
// netra-migrate-sha256: {{checksum}}
// Jest loads it from `setupFilesAfterEnv`; Vitest through netra-memory-monitor.mjs in `setupFiles`. From
// your own setup file: require('./netra-memory-monitor.cjs').install(hooks, { limitMb, action, workers }).
//
// Per test it measures the process's peak RSS (Linux: the kernel's high-water mark, reset before each test
// through /proc/self/clear_refs, so a test that allocates and frees is still seen; elsewhere RSS after the
// test) and the V8 heap in use. A test whose peak crosses the limit fails (action `fail`, the default), is
// reported (`warn`), or (Vitest only: `skip`) the tests after it are skipped while the process stays over
// the limit. Each test is judged by what it adds itself: a test that starts with the process already over
// the limit (memory an earlier test kept) is not blamed for that memory, but is for what it adds on top.
// When the test file ends it prints the file's peak and its heaviest tests.
//
// Settings, first found wins: environment NODE_TEST_MEMORY_LIMIT_MB (MB, `auto` or `off`),
// NODE_TEST_MEMORY_ACTION (`fail`, `warn` or `skip`), NODE_TEST_MEMORY_REPORT_TOP (number of tests listed, 0
// for none); then the options given to install(); then `auto`, `fail`, 3. `auto` is 80% of the memory limit
// of this process's own cgroup and its parents (v2 and v1, as /proc/self/cgroup and /proc/self/mountinfo
// name them) or of physical memory, shared by the workers that run: NODE_TEST_MEMORY_WORKERS, else the count
// the runner runs with (Vitest's resolved `maxWorkers`, which `fileParallelism: false` and
// `--no-file-parallelism` make 1; one for Jest running tests in its own process, as `--runInBand`,
// `maxWorkers: 1` and a single test file do), else the option `workers`, else one per CPU but one (both
// runners' default). A limit at or below what the test process already holds is an error naming both numbers.
'use strict';

const fs = require('node:fs');
const os = require('node:os');

const mb = (bytes) => Math.round(bytes / MB);

const VERSION = '1.2.0';
const PROCESS_MARK = Symbol.for('netra-memory-monitor.process');
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

function readText(path) {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040). */
const unescapeMount = (field) => field.replace(/\\([0-7]{3})/g, (_, oct) => String.fromCharCode(parseInt(oct, 8)));

/** The group's directory and each parent up to the mount point, innermost first. */
function groupDirs(sys, mountRoot, mountPoint, group) {
  let rel = '';
  if (mountRoot === '/') rel = group;
  else if (group === mountRoot || group.startsWith(mountRoot.replace(/\/$/, '') + '/')) rel = group.slice(mountRoot.length);
  // Otherwise the group lies outside what is mounted (a cgroup namespace): the mount is the group.
  const top = sys + mountPoint;
  const parts = rel.split('/').filter(Boolean);
  const dirs = [];
  for (let n = parts.length; n >= 0; n--) dirs.push([top, ...parts.slice(0, n)].join('/'));
  const existing = dirs.filter((d) => {
    try {
      return fs.statSync(d).isDirectory();
    } catch {
      return false;
    }
  });
  return existing.length > 0 ? existing : [top];
}

/**
 * The smallest memory limit in bytes of this process's cgroup and its parents (v2 `memory.max`, v1
 * `memory.limit_in_bytes` and `hierarchical_memory_limit`), found through /proc/self/cgroup and
 * /proc/self/mountinfo as the pytest plugin finds it; null when there is none.
 */
function containerLimit(root) {
  const sys = (root || process.env.NODE_TEST_MEMORY_SYSROOT || '').replace(/\/$/, '');
  const cgroups = readText(`${sys}/proc/self/cgroup`);
  const mountinfo = readText(`${sys}/proc/self/mountinfo`);
  if (cgroups === null || mountinfo === null) return null;
  const mounts = [];
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ').filter(Boolean);
    const sep = fields.indexOf('-');
    if (sep < 5 || fields.length < sep + 3) continue;
    mounts.push({
      root: unescapeMount(fields[3]),
      point: unescapeMount(fields[4]),
      type: fields[sep + 1],
      options: fields[sep + 3].split(','),
    });
  }
  const found = [];
  for (const line of cgroups.split('\n')) {
    const parts = line.split(':');
    if (parts.length < 3) continue;
    const [hierarchy, controllers] = parts;
    const group = parts.slice(2).join(':');
    const v2 = hierarchy === '0' && controllers === '';
    if (!v2 && !controllers.split(',').includes('memory')) continue;
    const mount = mounts.find((m) => (v2 ? m.type === 'cgroup2' : m.type === 'cgroup' && m.options.includes('memory')));
    if (!mount) continue;
    for (const dir of groupDirs(sys, mount.root, mount.point, group)) {
      const limit = readNumber(`${dir}/${v2 ? 'memory.max' : 'memory.limit_in_bytes'}`);
      if (limit !== null) found.push(limit);
      if (!v2) {
        const stat = readText(`${dir}/memory.stat`) || '';
        const m = /^hierarchical_memory_limit (\d+)$/m.exec(stat);
        const n = m ? Number(m[1]) : NaN;
        if (Number.isFinite(n) && n > 0 && n < 2 ** 62) found.push(n);
      }
    }
  }
  return found.length > 0 ? Math.min(...found) : null;
}

/** How many test processes share the memory: the environment's count, the runner's, the option, else one per CPU but one. */
function workerCount(env, options) {
  for (const value of [env.NODE_TEST_MEMORY_WORKERS, options && options.runnerWorkers, options && options.workers]) {
    const n = Number(value);
    if (value !== undefined && value !== null && value !== '' && Number.isInteger(n) && n > 0) return n;
  }
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, cpus - 1);
}

function autoLimitMb(env, options) {
  const total = Math.min(containerLimit() ?? Infinity, os.totalmem());
  return Math.floor((total * 0.8) / workerCount(env, options) / MB);
}

/**
 * Jest runs the tests in its own process (no worker) under `--runInBand`, `maxWorkers: 1` or for a single
 * test file: then one process holds all the memory. Its workers are child processes (with an IPC channel) or
 * worker threads. Null when the tests run in a worker: how many there are is not known here.
 */
function jestInBand() {
  if (!process.env.JEST_WORKER_ID) return null;
  let mainThread = true;
  try {
    mainThread = require('node:worker_threads').isMainThread;
  } catch {
    mainThread = true;
  }
  // Jest stubs `process.send` in the test environment; the IPC channel of a worker process is real.
  return process.channel === undefined && mainThread ? 1 : null;
}

/**
 * The limit in MB (null when off); a bad value throws, naming where it came from. With `baselineBytes` (what
 * the process holds as the monitor starts), a limit at or below it throws too: no test could stay under it.
 */
function resolveLimit(env, options, baselineBytes) {
  const { value, source } = setting(env, 'NODE_TEST_MEMORY_LIMIT_MB', options, 'limitMb', 'auto');
  const text = String(value).trim().toLowerCase();
  if (text === 'off') return null;
  const auto = text === 'auto';
  const n = auto ? autoLimitMb(env, options) : Number(text);
  if (!auto && (!Number.isFinite(n) || n <= 0))
    throw new Error(`netra-memory-monitor: ${source}: memory limit '${value}' is not a number of MB, 'auto' or 'off'`);
  if (baselineBytes !== undefined && n * MB <= baselineBytes) {
    throw new Error(
      `netra-memory-monitor: ${source}: memory limit ${auto ? `auto (${n} MB)` : `${value} MB`} is at or below the ${mb(baselineBytes)} MB this test process already holds; no test could stay under it (raise the limit, or 'off')`,
    );
  }
  return n;
}

const ACTIONS = ['fail', 'warn', 'skip'];

function resolveAction(env, options, canSkip) {
  const { value, source } = setting(env, 'NODE_TEST_MEMORY_ACTION', options, 'action', 'fail');
  if (!ACTIONS.includes(value)) throw new Error(`netra-memory-monitor: ${source}: action '${value}' is not 'fail', 'warn' or 'skip'`);
  if (value === 'skip' && !canSkip)
    throw new Error(
      `netra-memory-monitor: ${source}: action 'skip' needs Vitest (Jest cannot skip a test from a hook); use 'fail' or 'warn'`,
    );
  return value;
}

/** A test started over the limit is blamed only for growth beyond this (allocator and page noise). */
const OVER_START_SLACK = 1 * MB;

/** A test's verdict: its peak passed the limit, or, started over it, it added more than noise on top. */
function overLimit(peak, before, limitBytes) {
  return before > limitBytes ? peak - before > OVER_START_SLACK : peak > limitBytes;
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

/**
 * Register the monitor with a runner's hooks: `{ beforeEach, afterEach, afterAll, expect }` (Jest's globals,
 * or Vitest's exports). Returns the per-file state (for tests of the monitor itself).
 */
function install(hooks, options) {
  const env = process.env;
  // A limit is judged against the baseline once per process, at its first test file: a later file in the
  // same worker (Jest --runInBand, a reused worker) starts with what earlier files kept, which the monitor
  // already reported on them, and is no usage error. Each file runs in its own module registry, so the mark
  // goes on a core module object, which every file of the process shares.
  const shared = os;
  const first = !shared[PROCESS_MARK];
  shared[PROCESS_MARK] = true;
  const limitMb = resolveLimit(env, options, first ? process.memoryUsage.rss() : undefined);
  const action = resolveAction(env, options, hooks.canSkip === true);
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

  let holder = null;
  // No declared parameter: Jest would take it for a `done` callback and wait for it. Vitest passes the
  // test's context anyway.
  hooks.beforeEach(function beforeEachTest() {
    const context = arguments[0];
    before = process.memoryUsage.rss();
    if (action === 'skip' && limitMb !== null && before > limitMb * MB && context && typeof context.skip === 'function') {
      before = -1;
      context.skip(
        `memory limit: process holds ${mb(process.memoryUsage.rss())} MB > limit ${limitMb} MB${holder ? ` since ${holder}` : ''}`,
      );
      return;
    }
    meter.reset();
  });

  hooks.afterEach(() => {
    if (before < 0) return; // skipped
    const peak = meter.peak(before);
    const heap = process.memoryUsage().heapUsed;
    const name = currentName();
    state.tests.push({ name, peak, growth: Math.max(0, peak - before), heap });
    state.peak = Math.max(state.peak, peak);
    // Each test answers for what it adds itself: memory an earlier test kept is not its fault, more on top is.
    if (limitMb === null || !overLimit(peak, before, limitMb * MB)) return;
    state.over.push(name);
    holder = `${name} peaked at ${mb(peak)} MB`;
    const message =
      before > limitMb * MB
        ? `[MEMORY] ${name}: added ${mb(peak - before)} MB on top of the ${mb(before)} MB the process already held over the limit of ${limitMb} MB (peak RSS ${mb(peak)} MB, heap in use ${mb(heap)} MB)`
        : `[MEMORY] ${name}: peak RSS ${mb(peak)} MB is over the limit of ${limitMb} MB (heap in use ${mb(heap)} MB)`;
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
if (
  !process.env.VITEST &&
  typeof globalThis.afterEach === 'function' &&
  typeof globalThis.beforeEach === 'function' &&
  typeof globalThis.afterAll === 'function'
) {
  install(
    { beforeEach: globalThis.beforeEach, afterEach: globalThis.afterEach, afterAll: globalThis.afterAll, expect: globalThis.expect },
    { runnerWorkers: jestInBand() },
  );
}

module.exports = { install, resolveLimit, containerLimit, overLimit, workerCount, MemoryLimitError, VERSION };
