/** The Node memory monitor on its own: settings and their errors, `auto` from a cgroup, and the per-test verdicts. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { after } from 'node:test';
import { NODE_MONITOR, VITEST_ADAPTER } from '../src/monitor/stamp.js';
import { ROOT, writeTree } from './support/env.js';

const monitor = createRequire(import.meta.url)(join(ROOT, 'src', 'monitor', 'netra-memory-monitor.cjs')) as {
  resolveLimit(env: NodeJS.ProcessEnv, options?: Record<string, unknown>, baselineBytes?: number): number | null;
  containerLimit(root?: string): number | null;
};

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

/** A pretend test file run through the monitor's hooks in a fresh process (test/support/monitor-suite.cjs). */
function runSuite(options: Record<string, unknown>, tests: { name: string; allocateMb?: number; keep?: boolean; free?: boolean }[]) {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', join(ROOT, 'test', 'support', 'monitor-suite.cjs'), JSON.stringify({ options, tests })],
    { encoding: 'utf8', env: { ...process.env, NODE_TEST_MEMORY_LIMIT_MB: '' } },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as {
    errors: string[];
    lines: string[];
    over: string[];
    tests: { name: string; growth: number; peak: number }[];
    freed: (number | null)[];
  };
}

/** A limit 100 MB above what a fresh Node process holds. */
const LIMIT =
  Math.round(
    Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.memoryUsage.rss()))'], { encoding: 'utf8' }).stdout) /
      2 ** 20,
  ) + 100;

describe('settings', () => {
  const clean = { NODE_TEST_MEMORY_LIMIT_MB: undefined, NODE_TEST_MEMORY_WORKERS: undefined, NODE_TEST_MEMORY_SYSROOT: undefined };

  test('environment over options over auto; off; a bad value names its source', () => {
    withEnv(clean, () => {
      assert.equal(monitor.resolveLimit({ NODE_TEST_MEMORY_LIMIT_MB: '512' }, { limitMb: 100 }), 512);
      assert.equal(monitor.resolveLimit({}, { limitMb: 100 }), 100);
      assert.equal(monitor.resolveLimit({ NODE_TEST_MEMORY_LIMIT_MB: 'off' }), null);
      assert.throws(
        () => monitor.resolveLimit({ NODE_TEST_MEMORY_LIMIT_MB: 'lots' }),
        /environment variable NODE_TEST_MEMORY_LIMIT_MB: memory limit 'lots' is not a number of MB, 'auto' or 'off'/,
      );
      assert.throws(() => monitor.resolveLimit({}, { limitMb: -1 }), /option limitMb: memory limit '-1'/);
    });
  });

  test('auto: 80% of the cgroup v2 limit, shared by the workers; v1 too; no limit means physical memory', () => {
    const v2 = writeTree({
      'proc/self/cgroup': '0::/\n',
      'proc/self/mountinfo': '30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n',
      'sys/fs/cgroup/memory.max': `${1024 * 1024 * 1024}\n`,
    });
    withEnv({ ...clean, NODE_TEST_MEMORY_SYSROOT: v2 }, () => assert.equal(monitor.resolveLimit({ NODE_TEST_MEMORY_WORKERS: '2' }), 409));
    const v1 = writeTree({
      'proc/self/cgroup': '4:memory:/\n',
      'proc/self/mountinfo': '35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n',
      'sys/fs/cgroup/memory/memory.limit_in_bytes': `${512 * 1024 * 1024}\n`,
    });
    withEnv({ ...clean, NODE_TEST_MEMORY_SYSROOT: v1 }, () => assert.equal(monitor.resolveLimit({ NODE_TEST_MEMORY_WORKERS: '1' }), 409));
    writeFileSync(join(v2, 'sys', 'fs', 'cgroup', 'memory.max'), 'max\n');
    withEnv({ ...clean, NODE_TEST_MEMORY_SYSROOT: v2 }, () => {
      const mb = monitor.resolveLimit({ NODE_TEST_MEMORY_WORKERS: '1' })!;
      assert.ok(mb > 1024, `physical memory: ${mb} MB`);
    });
  });
});

describe("auto reads the process's own cgroup, as the pytest plugin does", () => {
  test("cgroup v2, nested: the smallest memory.max of the group and its parents, not the root's", () => {
    const root = writeTree({
      'proc/self/cgroup': '0::/user.slice/ci.slice/job.scope\n',
      'proc/self/mountinfo': '22 1 0:20 / / rw - ext4 /dev/sda rw\n30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n',
      'sys/fs/cgroup/memory.max': 'max\n',
      'sys/fs/cgroup/user.slice/memory.max': `${4 * 1024 ** 3}\n`,
      'sys/fs/cgroup/user.slice/ci.slice/memory.max': `${1024 ** 3}\n`,
      'sys/fs/cgroup/user.slice/ci.slice/job.scope/memory.max': 'max\n',
    });
    assert.equal(monitor.containerLimit(root), 1024 ** 3);
  });

  test('cgroup v1 in a container (the mount root is the group), with hierarchical_memory_limit; hybrid v1 + v2', () => {
    const root = writeTree({
      'proc/self/cgroup': '12:pids:/docker/abc\n4:memory:/docker/abc\n0::/\n',
      'proc/self/mountinfo':
        '31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n36 31 0:33 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n',
      'sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
      'sys/fs/cgroup/memory/memory.stat': `cache 0\nhierarchical_memory_limit ${768 * 1024 ** 2}\n`,
      'sys/fs/cgroup/unified/memory.max': 'max\n',
    });
    assert.equal(monitor.containerLimit(root), 768 * 1024 ** 2);
  });

  test('a limit at or below what the process holds is an error naming both numbers; a tiny limit is not off', () => {
    const baseline = 60 * 2 ** 20;
    assert.throws(
      () => monitor.resolveLimit({ NODE_TEST_MEMORY_LIMIT_MB: '0.0000001' }, {}, baseline),
      /environment variable NODE_TEST_MEMORY_LIMIT_MB: memory limit 0\.0000001 MB is at or below the 60 MB this test process already holds/,
    );
    assert.throws(() => monitor.resolveLimit({}, { limitMb: 50 }, baseline), /option limitMb: memory limit 50 MB is at or below the 60 MB/);
    assert.equal(monitor.resolveLimit({}, { limitMb: 61 }, baseline), 61);
  });
});

describe('per-test verdicts', () => {
  test('fail: the test that crossed the limit fails; the one after it, holding the same memory, does not', () => {
    const { errors, lines, over, tests } = runSuite({ limitMb: LIMIT, action: 'fail' }, [
      { name: 'small' },
      { name: 'allocates', allocateMb: 200, keep: true },
      { name: 'inherits' },
    ]);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0]!, new RegExp(`^MemoryLimitError: \\[MEMORY\\] allocates: peak RSS \\d+ MB is over the limit of ${LIMIT} MB`));
    assert.deepEqual(over, ['allocates']);
    assert.ok(tests.find((t) => t.name === 'allocates')!.growth >= 190 * 2 ** 20, 'the allocation is seen');
    assert.match(
      lines.join('\n'),
      new RegExp(
        `^\\[MEMORY\\] suite\\.test\\.js: 3 tests, peak RSS \\d+ MB, limit ${LIMIT} MB \\(fail\\)\\n\\[MEMORY\\]   allocates: peak \\d+ MB, \\+\\d+ MB during the test`,
      ),
    );
  });

  test('after a breach the monitor still sees the next test: one that adds more on top of held memory fails', () => {
    const { errors, over } = runSuite({ limitMb: LIMIT, action: 'fail' }, [
      { name: 'keeps', allocateMb: 150, keep: true },
      { name: 'adds more', allocateMb: 200, keep: true },
      { name: 'inherits' },
    ]);
    assert.deepEqual(over, ['keeps', 'adds more']);
    assert.equal(errors.length, 2, errors.join('\n'));
    assert.match(
      errors[1]!,
      new RegExp(
        `^MemoryLimitError: \\[MEMORY\\] adds more: added \\d+ MB on top of the \\d+ MB the process already held over the limit of ${LIMIT} MB`,
      ),
    );
  });

  test('warn: reported, not thrown; an allocation freed before the test ends is still seen (the kernel high-water mark)', () => {
    const { errors, lines, freed, tests } = runSuite({ limitMb: LIMIT, action: 'warn', reportTop: 1 }, [
      { name: 'allocates and frees', allocateMb: 300, free: true },
    ]);
    assert.deepEqual(errors, []);
    const peakMb = tests[0]!.peak / 2 ** 20;
    // RSS read after the test would have missed at least 100 MB of what the test used at its peak.
    assert.ok(peakMb - freed[0]! >= 100, `peak ${peakMb.toFixed(0)} MB, RSS after the free ${freed[0]} MB`);
    assert.match(lines[0]!, /^\[MEMORY\] allocates and frees: peak RSS \d+ MB is over the limit/);
  });
});

// Real runners: Jest 30 and Vitest 4 load the shipped monitor (setupFilesAfterEnv / setupFiles).
const SCRATCH = join(ROOT, '.cache', 'js-runs');
mkdirSync(SCRATCH, { recursive: true });
const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function runnerProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(SCRATCH, 'mon-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function runRunner(bin: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, bin, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1', NODE_TEST_MEMORY_LIMIT_MB: '', NODE_TEST_MEMORY_ACTION: '', ...env },
    timeout: 180_000,
  });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

/** Issue 14 item 7, as a test file: A keeps 350 MB under a 300 MB limit, B then adds 400 MB, C adds nothing. */
const breachTests = (
  typed: boolean,
) => `${typed ? "import { expect, test } from 'vitest';\n" : ''}const held${typed ? ': Buffer[]' : ''} = [];
const allocate = (mb${typed ? ': number' : ''}) => Array.from({ length: mb / 10 }, () => Buffer.alloc(10 * 1024 * 1024, 1));
test('a keeps', () => { held.push(...allocate(350)); expect(held.length).toBe(35); });
test('b adds', () => { const more = allocate(400); expect(more.length).toBe(40); });
test('c inherits', () => { expect(held.length).toBe(35); });
`;

describe('Jest 30 and Vitest 4 with the monitor', () => {
  test('Jest: A fails, B (adding on top of what A keeps) fails too, C passes; a limit below the baseline is an error', () => {
    const dir = runnerProject({
      'package.json': '{ "name": "jest-monitor", "private": true }\n',
      'jest.config.js':
        "module.exports = { testEnvironment: 'node', testTimeout: 60000, setupFilesAfterEnv: ['<rootDir>/netra-memory-monitor.cjs'] };\n",
      'netra-memory-monitor.cjs': NODE_MONITOR.text(),
      'breach.test.js': breachTests(false),
    });
    const jest = [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci'];
    const r = runRunner(jest, dir, { NODE_TEST_MEMORY_LIMIT_MB: '300' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /MemoryLimitError: \[MEMORY\] a keeps: peak RSS \d+ MB is over the limit of 300 MB/);
    assert.match(
      r.out,
      /MemoryLimitError: \[MEMORY\] b adds: added \d+ MB on top of the \d+ MB the process already held over the limit of 300 MB/,
    );
    assert.match(r.out, /Tests:\s+2 failed, 1 passed, 3 total/);
    const low = runRunner(jest, dir, { NODE_TEST_MEMORY_LIMIT_MB: '0.0000001' });
    assert.equal(low.code, 1, low.out);
    assert.match(low.out, /memory limit 0\.0000001 MB is at or below the \d+ MB this test process already holds/);
    // In one process (--runInBand) the next file starts with what breach.test.js kept: no usage error for it.
    writeFileSync(join(dir, 'later.test.js'), "test('later', () => { expect(1).toBe(1); });\n");
    const inBand = runRunner([...jest, '--runInBand'], dir, { NODE_TEST_MEMORY_LIMIT_MB: '300' });
    assert.doesNotMatch(inBand.out, /already holds/);
    assert.match(inBand.out, /Tests:\s+2 failed, 2 passed, 4 total/);
    rmSync(join(dir, 'later.test.js'));
    const skip = runRunner(jest, dir, { NODE_TEST_MEMORY_LIMIT_MB: '300', NODE_TEST_MEMORY_ACTION: 'skip' });
    assert.match(skip.out, /action 'skip' needs Vitest/);
  });

  test('Vitest: fail by default (A and B fail, C passes); skip skips the tests after A while the process holds its memory', () => {
    const dir = runnerProject({
      'package.json': '{ "name": "vitest-monitor", "private": true, "type": "module" }\n',
      'vitest.config.ts':
        "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({ test: { include: ['*.test.ts'], setupFiles: ['./netra-memory-monitor.mjs'], testTimeout: 60_000 } });\n",
      'netra-memory-monitor.cjs': NODE_MONITOR.text(),
      'netra-memory-monitor.mjs': VITEST_ADAPTER.text(),
      'breach.test.ts': breachTests(true),
    });
    const vitest = [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run'];
    const r = runRunner(vitest, dir, { NODE_TEST_MEMORY_LIMIT_MB: '300' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /MemoryLimitError: \[MEMORY\] a keeps: peak RSS \d+ MB is over the limit of 300 MB/);
    assert.match(
      r.out,
      /MemoryLimitError: \[MEMORY\] b adds: added \d+ MB on top of the \d+ MB the process already held over the limit of 300 MB/,
    );
    assert.match(r.out, /Tests\s+2 failed \| 1 passed \(3\)/);
    const skip = runRunner(vitest, dir, { NODE_TEST_MEMORY_LIMIT_MB: '300', NODE_TEST_MEMORY_ACTION: 'skip' });
    assert.equal(skip.code, 0, skip.out);
    assert.match(skip.out, /\[MEMORY\] a keeps: peak RSS \d+ MB is over the limit of 300 MB/);
    assert.match(skip.out, /Tests\s+1 passed \| 2 skipped \(3\)/);
  });
});

/**
 * Issue 24 item 5: `auto` shares the memory among the workers that run, not one per CPU but one. A 32-CPU host
 * (os.availableParallelism patched through NODE_OPTIONS --require, in the runner and its workers) in a 4 GiB
 * container (a cgroup v2 tree through NODE_TEST_MEMORY_SYSROOT): one worker gets 80% of 4096 MB, 3276 MB; the
 * old division by 31 gave 105 MB.
 */
describe('auto divides by the workers that run (issue 24 item 5)', () => {
  const host = () => {
    const sysroot = writeTree({
      'proc/self/cgroup': '0::/\n',
      'proc/self/mountinfo': '30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n',
      'sys/fs/cgroup/memory.max': `${4 * 1024 ** 3}\n`,
    });
    const cpus = join(sysroot, 'cpus32.cjs');
    writeFileSync(
      cpus,
      "const os = require('node:os');\nconst one = os.cpus()[0];\nos.availableParallelism = () => 32;\nos.cpus = () => Array.from({ length: 32 }, () => one);\n",
    );
    return { NODE_TEST_MEMORY_SYSROOT: sysroot, NODE_OPTIONS: `--require ${cpus}` };
  };
  const quick = (typed: boolean) =>
    `${typed ? "import { expect, test } from 'vitest';\n" : ''}test('quick', () => { expect(1).toBe(1); });\n`;

  test('the count: environment, then the runner, then the option, then one per CPU but one', () => {
    const m = createRequire(import.meta.url)(join(ROOT, 'src', 'monitor', 'netra-memory-monitor.cjs')) as {
      workerCount(env: NodeJS.ProcessEnv, options?: Record<string, unknown>): number;
    };
    assert.equal(m.workerCount({ NODE_TEST_MEMORY_WORKERS: '6' }, { runnerWorkers: 1, workers: 3 }), 6);
    assert.equal(m.workerCount({}, { runnerWorkers: 1, workers: 3 }), 1);
    assert.equal(m.workerCount({}, { runnerWorkers: null, workers: 3 }), 3);
    assert.equal(m.workerCount({ NODE_TEST_MEMORY_WORKERS: '' }, { runnerWorkers: null }), Math.max(1, availableParallelism() - 1));
  });

  test('Vitest 4: fileParallelism: false runs one worker (3276 MB); maxWorkers: 3 three (1092 MB)', () => {
    const env = host();
    for (const [option, limit] of [
      ['fileParallelism: false', 3276],
      ['maxWorkers: 3', 1092],
    ] as const) {
      const dir = runnerProject({
        'package.json': '{ "name": "vitest-workers", "private": true, "type": "module" }\n',
        'vitest.config.ts': `import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({ test: { include: ['*.test.ts'], ${option}, setupFiles: ['./netra-memory-monitor.mjs'] } });\n`,
        'netra-memory-monitor.cjs': NODE_MONITOR.text(),
        'netra-memory-monitor.mjs': VITEST_ADAPTER.text(),
        'a.test.ts': quick(true),
      });
      const r = runRunner([join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], dir, env);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, new RegExp(`\\[MEMORY\\] \\S*a\\.test\\.ts: 1 tests, peak RSS \\d+ MB, limit ${limit} MB \\(fail\\)`), option);
    }
  });

  test('Jest 30: --runInBand runs the tests in its own process (3276 MB)', () => {
    const dir = runnerProject({
      'package.json': '{ "name": "jest-workers", "private": true }\n',
      'jest.config.js': "module.exports = { testEnvironment: 'node', setupFilesAfterEnv: ['<rootDir>/netra-memory-monitor.cjs'] };\n",
      'netra-memory-monitor.cjs': NODE_MONITOR.text(),
      'a.test.js': quick(false),
      'b.test.js': quick(false),
    });
    const r = runRunner([join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--runInBand'], dir, host());
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /\[MEMORY\] \S*a\.test\.js: 1 tests, peak RSS \d+ MB, limit 3276 MB \(fail\)/);
    assert.match(r.out, /\[MEMORY\] \S*b\.test\.js: 1 tests, peak RSS \d+ MB, limit 3276 MB \(fail\)/);
  });
});
