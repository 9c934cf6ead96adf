/**
 * The memory monitor under real pytest 9 (with pytest-xdist): each action on a test that really allocates,
 * the collection stop and its exit code, xdist workers, `auto` limits read from a cgroup tree laid out in a
 * temporary directory, and usage errors for bad values.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorText } from '../src/monitor/stamp.js';
import { pythonAvailable, runPython, writeTree } from './support/env.js';

/** Tests that hold, or allocate and free, real memory: pages are touched so they count in RSS. */
const MEMORY_TESTS = `
HELD = []

def touched(mb):
    block = bytearray(mb * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])
    return block

def test_small():
    pass

def test_spike():
    block = touched(200)
    del block

def test_leak():
    HELD.append(touched(150))

def test_after():
    pass
`;

const CLEAN_ENV = {
  PYTEST_MEMORY_LIMIT_MB: '',
  PYTEST_COLLECTION_LIMIT_MB: '',
  PYTEST_MEMORY_LIMIT_ACTION: '',
  PYTEST_MEMORY_SYSROOT: '',
  PYTEST_XDIST_WORKER_COUNT: '',
  PYTEST_ADDOPTS: '',
  // Wide enough that the short test summary does not cut the messages asserted on.
  COLUMNS: '300',
};

function project(ini: string, files: Record<string, string> = { 'tests/test_mem.py': MEMORY_TESTS }): string {
  return writeTree({ 'pytest_memory_plugin.py': monitorText(), 'pytest.ini': ini, ...files }, 'netra-monitor-');
}

const INI = '[pytest]\ntestpaths = tests\npythonpath = .\naddopts = -p pytest_memory_plugin\nmemory_limit_mb = 100\n';

function pytest(dir: string, args: string[], env: Record<string, string> = {}) {
  const r = runPython(['-m', 'pytest', '--strict-config', '-p', 'no:cacheprovider', ...args], { cwd: dir, env: { ...CLEAN_ENV, ...env } });
  return { code: r.code, out: r.stdout + r.stderr };
}

const mb = (out: string, re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);

/** A test module that holds 200 MB from import: collection itself passes a limit set between baseline and that. */
const HEAVY_COLLECTION = {
  'tests/test_heavy.py': 'BLOCK = bytearray(200 * 1024 * 1024)\nBLOCK[::4096] = b"x" * len(BLOCK[::4096])\n\ndef test_one():\n    pass\n',
};

/** Issue 14 item 7: test A keeps 350 MB under a 300 MB limit; test B then adds 400 MB more; C adds nothing. */
const BREACH_TESTS = `
HELD = []

def touched(mb):
    block = bytearray(mb * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])
    return block

def test_a_keeps():
    HELD.append(touched(350))

def test_b_adds():
    block = touched(400)
    del block

def test_c_inherits():
    pass
`;

describe('memory monitor under real pytest', { skip: pythonAvailable() }, () => {
  test('fail (default): the test whose own peak crossed the limit fails, naming peak and limit, and the run exits 1', () => {
    const r = pytest(project(INI), ['-q', '-rf']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /2 failed, 2 passed/);
    assert.match(
      r.out,
      /^FAILED tests\/test_mem\.py::test_spike - Failed: tests\/test_mem\.py::test_spike peaked at \d+\.\dMB > memory limit 100\.0MB$/m,
    );
    assert.match(r.out, /^\[MEMORY\] Memory limits - Collection: none, Execution: 100MB \(action: fail\)$/m);
  });

  test('skip: a test that keeps memory over the limit makes the next ones skip, naming it, its peak and the limit', () => {
    const r = pytest(project(INI), ['-q', '-rs', '--memory-limit-action=skip']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /3 passed, 1 skipped/);
    assert.match(
      r.out,
      /^SKIPPED \[1\] tests\/test_mem\.py: memory limit: process holds \d+\.\dMB > limit 100\.0MB since tests\/test_mem\.py::test_leak peaked at \d+\.\dMB$/m,
    );
    // The spike was freed inside the test body, yet its peak is seen: the kernel high-water mark, reset per test.
    assert.ok(mb(r.out, /^\[MEMORY\] Over the limit: tests\/test_mem\.py::test_spike peaked at (\d+\.\d)MB$/m) >= 200, r.out);
    assert.match(r.out, /^\[MEMORY\] Memory limits - Collection: none, Execution: 100MB \(action: skip\)$/m);
    assert.match(r.out, /^\[MEMORY\] After collection: \d+\.\dMB \(4 tests\)$/m);
    assert.match(r.out, /^\[MEMORY\] Final memory usage: \d+\.\dMB$/m);
    assert.match(r.out, /^\[MEMORY\] Highest test peaks:\n\[MEMORY\] +\d+\.\dMB {2}tests\/test_mem\.py::test_spike$/m);
  });

  test('fail: the tests whose own peak passed the limit fail with the peak in the message; a test that only inherits held memory does not', () => {
    const r = pytest(project(INI), ['-q', '--memory-limit-action=fail', '-rf']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /2 failed, 2 passed/);
    assert.match(
      r.out,
      /^FAILED tests\/test_mem\.py::test_spike - Failed: tests\/test_mem\.py::test_spike peaked at \d+\.\dMB > memory limit 100\.0MB$/m,
    );
    assert.match(r.out, /^FAILED tests\/test_mem\.py::test_leak - /m);
    assert.doesNotMatch(r.out, /FAILED tests\/test_mem\.py::test_after/);
  });

  test('warn: a MemoryLimitWarning per test over the limit, and the run passes', () => {
    const r = pytest(project(INI), ['-q'], { PYTEST_MEMORY_LIMIT_ACTION: 'warn' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /4 passed, 2 warnings/);
    assert.match(r.out, /MemoryLimitWarning: tests\/test_mem\.py::test_spike peaked at \d+\.\dMB > memory limit 100\.0MB/);
  });

  test('over the collection limit the run stops before any test with exit 10 and the report', () => {
    const r = pytest(project(INI, HEAVY_COLLECTION), ['-q', '--collection-memory-limit-mb=120']);
    assert.equal(r.code, 10, r.out);
    assert.match(r.out, /^\[MEMORY\] Memory limit exceeded after collection: \d+\.\dMB > 120\.0MB$/m);
    assert.match(r.out, /^\[MEMORY\] After collection: \d+\.\dMB \(1 tests\)$/m);
    assert.doesNotMatch(r.out, /passed|failed/);
  });

  test('under xdist -n 2: per-worker and total report lines, no INTERNALERROR', () => {
    const r = pytest(project(INI), ['-q', '-n', '2', '--memory-limit-action=warn']);
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.out, /INTERNALERROR/);
    assert.match(r.out, /^\[MEMORY\] Starting pytest with \d+\.\dMB memory \(controller\)$/m);
    for (const worker of ['gw0', 'gw1'])
      assert.match(r.out, new RegExp(`^\\[MEMORY\\] ${worker}: After collection: \\d+\\.\\dMB \\(4 tests\\)$`, 'm'));
    assert.match(r.out, /^\[MEMORY\] Total across 2 workers: final \d+\.\dMB, peak \d+\.\dMB \(sum of worker peaks\)$/m);
    assert.match(r.out, /^\[MEMORY\] +\d+\.\dMB {2}\[gw\d\] tests\/test_mem\.py::test_spike$/m);
  });

  test('under xdist a collection over its limit skips every test and exits 10, without crashing the controller', () => {
    const r = pytest(project(INI, HEAVY_COLLECTION), ['-q', '-n', '2', '--collection-memory-limit-mb=120']);
    assert.equal(r.code, 10, r.out);
    assert.doesNotMatch(r.out, /INTERNALERROR/);
    assert.doesNotMatch(r.out, /passed/);
    assert.match(r.out, /Memory limit exceeded after collection/);
  });

  for (const xdist of [[], ['-n', '2', '--dist', 'loadfile']]) {
    test(`after a breach the monitor still sees the next test: each is judged by what it adds itself${xdist.length ? ' (xdist)' : ''}`, () => {
      const r = pytest(project(INI.replace('= 100', '= 300'), { 'tests/test_breach.py': BREACH_TESTS }), ['-q', '-rf', ...xdist]);
      assert.equal(r.code, 1, r.out);
      assert.doesNotMatch(r.out, /INTERNALERROR/);
      assert.match(r.out, /2 failed, 1 passed/);
      assert.match(
        r.out,
        /^FAILED tests\/test_breach\.py::test_a_keeps - Failed: tests\/test_breach\.py::test_a_keeps peaked at \d+\.\dMB > memory limit 300\.0MB$/m,
      );
      const added =
        /^FAILED tests\/test_breach\.py::test_b_adds - Failed: tests\/test_breach\.py::test_b_adds added (\d+\.\d)MB on top of the (\d+\.\d)MB the process already held over the memory limit 300\.0MB \(peak \d+\.\dMB\)$/m.exec(
          r.out,
        );
      assert.ok(added, r.out);
      assert.ok(Number(added[1]) >= 390 && Number(added[2]) >= 350, r.out);
      assert.doesNotMatch(r.out, /FAILED tests\/test_breach\.py::test_c_inherits/);
    });
  }

  test('a limit at or below what pytest holds before any test is a usage error naming both numbers; a tiny limit is not off', () => {
    const dir = project(INI, { 'tests/test_one.py': 'def test_one():\n    pass\n' });
    for (const [value, shown] of [
      ['0.0000001', '0.0000001MB'],
      ['5', '5MB'],
    ] as const) {
      const r = pytest(dir, ['-q'], { PYTEST_MEMORY_LIMIT_MB: value });
      assert.equal(r.code, 4, r.out);
      assert.match(
        r.out,
        new RegExp(
          `^ERROR: environment variable PYTEST_MEMORY_LIMIT_MB: memory limit ${shown.replace('.', '\\.')} is at or below the \\d+\\.\\dMB this pytest process holds before any test runs`,
          'm',
        ),
      );
    }
    const collection = pytest(dir, ['-q', '--collection-memory-limit-mb=2']);
    assert.equal(collection.code, 4, collection.out);
    assert.match(
      collection.out,
      /^ERROR: --collection-memory-limit-mb=2: memory limit 2MB is at or below the \d+\.\dMB this pytest process holds/m,
    );
  });

  test('collection auto under an explicit execution limit is half of that limit, not a share of the machine', () => {
    const dir = project(INI.replace('memory_limit_mb = 100', 'collection_memory_limit_mb = auto'), {
      'tests/test_one.py': 'def test_one():\n    pass\n',
    });
    const r = pytest(dir, ['-q'], { PYTEST_MEMORY_LIMIT_MB: '300' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^\[MEMORY\] Memory limits - Collection: 150MB, Execution: 300MB \(action: fail\)$/m);
    assert.match(r.out, /collection_memory_limit_mb auto: 50% of the execution limit 300\.0MB$/m);
  });

  test('precedence: command line over environment over config key', () => {
    const dir = project(INI, { 'tests/test_one.py': 'def test_one():\n    pass\n' });
    const limits = (out: string) => /^\[MEMORY\] Memory limits - Collection: \S+, Execution: (\S+)/m.exec(out)?.[1];
    assert.equal(limits(pytest(dir, ['-q']).out), '100MB');
    assert.equal(limits(pytest(dir, ['-q'], { PYTEST_MEMORY_LIMIT_MB: '200' }).out), '200MB');
    assert.equal(limits(pytest(dir, ['-q', '--memory-limit-mb=300'], { PYTEST_MEMORY_LIMIT_MB: '200' }).out), '300MB');
    assert.equal(limits(pytest(dir, ['-q'], { PYTEST_MEMORY_LIMIT_MB: 'off' }).out), 'none');
  });

  test('bad values are usage errors (exit 4) naming where the value came from', () => {
    const dir = project(INI, { 'tests/test_one.py': 'def test_one():\n    pass\n' });
    const env = pytest(dir, ['-q'], { PYTEST_MEMORY_LIMIT_MB: 'lots' });
    assert.equal(env.code, 4, env.out);
    assert.match(
      env.out,
      /^ERROR: environment variable PYTEST_MEMORY_LIMIT_MB: memory limit 'lots' is not a number of MB, 'auto' or 'off'$/m,
    );
    const ini = pytest(project(INI.replace('= 100', '= -5'), { 'tests/test_one.py': 'def test_one():\n    pass\n' }), ['-q']);
    assert.equal(ini.code, 4, ini.out);
    assert.match(ini.out, /^ERROR: memory_limit_mb in pytest\.ini: memory limit '-5' is not a number of MB/m);
    const action = pytest(dir, ['-q', '--memory-limit-action=explode']);
    assert.equal(action.code, 4, action.out);
    assert.match(action.out, /--memory-limit-action=explode: memory limit action 'explode' is not one of skip, fail, warn/);
  });
});

/** A fake root holding /proc/self/{cgroup,mountinfo}, /proc/meminfo and a cgroup filesystem. */
const sysroot = (files: Record<string, string>) => writeTree(files, 'netra-sysroot-');

const GiB = 1024 ** 3;
const MEMINFO = `MemTotal:        ${(8 * GiB) / 1024} kB\nMemFree:         1000 kB\n`;

describe('auto limits from the cgroup tree', { skip: pythonAvailable() }, () => {
  const dir = project(
    '[pytest]\ntestpaths = tests\npythonpath = .\naddopts = -p pytest_memory_plugin\nmemory_limit_mb = auto\ncollection_memory_limit_mb = auto\n',
    {
      'tests/test_one.py': 'def test_one():\n    pass\n',
    },
  );
  const limitsOf = (root: string, env: Record<string, string> = {}) => {
    const r = pytest(dir, ['-q'], { PYTEST_MEMORY_SYSROOT: root, ...env });
    assert.equal(r.code, 0, r.out);
    return r.out;
  };

  test('cgroup v2: the smallest memory.max of the group and its parents ("max" is no limit)', () => {
    const root = sysroot({
      'proc/self/cgroup': '0::/user.slice/job.scope\n',
      'proc/self/mountinfo': '30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n',
      'proc/meminfo': MEMINFO,
      'sys/fs/cgroup/memory.max': 'max\n',
      'sys/fs/cgroup/user.slice/memory.max': `${GiB}\n`,
      'sys/fs/cgroup/user.slice/job.scope/memory.max': 'max\n',
    });
    const out = limitsOf(root);
    // 80% of 1024 MB; collection half of that.
    assert.match(out, /^\[MEMORY\] Memory limits - Collection: 410MB, Execution: 819MB \(action: fail\)$/m);
    assert.match(out, /memory_limit_mb auto: 80% of cgroup limit 1024\.0MB in \/sys\/fs\/cgroup\/user\.slice\/memory\.max$/m);
  });

  test('cgroup v1 in a container (mount root is the group), divided across xdist workers', () => {
    const root = sysroot({
      'proc/self/cgroup': '12:pids:/docker/abc\n4:memory:/docker/abc\n0::/\n',
      'proc/self/mountinfo':
        '31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n',
      'proc/meminfo': MEMINFO,
      'sys/fs/cgroup/memory/memory.limit_in_bytes': `${512 * 1024 * 1024}\n`,
      'sys/fs/cgroup/memory/memory.stat': 'cache 0\nhierarchical_memory_limit 9223372036854771712\n',
    });
    const out = limitsOf(root, { PYTEST_XDIST_WORKER_COUNT: '2' });
    // 80% of 512 MB over 2 workers.
    assert.match(out, /Execution: 205MB/);
    assert.match(out, /auto: 80% of cgroup limit 512\.0MB in \/sys\/fs\/cgroup\/memory\/memory\.limit_in_bytes \/ 2 workers$/m);
  });

  test('no limit anywhere (v1 sentinel): physical memory', () => {
    const root = sysroot({
      'proc/self/cgroup': '4:memory:/\n',
      'proc/self/mountinfo': '35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n',
      'proc/meminfo': MEMINFO,
      'sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
    });
    const out = limitsOf(root);
    assert.match(out, /Execution: 6554MB/);
    assert.match(out, /auto: 80% of physical memory 8192\.0MB$/m);
  });
});
