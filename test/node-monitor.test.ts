/** The Node memory monitor on its own: settings and their errors, `auto` from a cgroup, and the per-test verdicts. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './support/env.js';

const monitor = createRequire(import.meta.url)(join(ROOT, 'src', 'monitor', 'netra-memory-monitor.cjs')) as {
  resolveLimit(env: NodeJS.ProcessEnv, options?: Record<string, unknown>): number | null;
};

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/** A pretend test file run through the monitor's hooks in a fresh process (test/support/monitor-suite.cjs). */
function runSuite(options: Record<string, unknown>, tests: { name: string; allocateMb?: number; keep?: boolean; free?: boolean }[]) {
  const r = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'test', 'support', 'monitor-suite.cjs'), JSON.stringify({ options, tests })], { encoding: 'utf8', env: { ...process.env, NODE_TEST_MEMORY_LIMIT_MB: '' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { errors: string[]; lines: string[]; over: string[]; tests: { name: string; growth: number; peak: number }[]; freed: (number | null)[] };
}

/** A limit 100 MB above what a fresh Node process holds. */
const LIMIT = Math.round(Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.memoryUsage.rss()))'], { encoding: 'utf8' }).stdout) / 2 ** 20) + 100;

describe('settings', () => {
  const clean = { NODE_TEST_MEMORY_LIMIT_MB: undefined, NODE_TEST_MEMORY_WORKERS: undefined, NODE_TEST_MEMORY_SYSROOT: undefined };

  test('environment over options over auto; off; a bad value names its source', () => {
    withEnv(clean, () => {
      assert.equal(monitor.resolveLimit({ NODE_TEST_MEMORY_LIMIT_MB: '512' }, { limitMb: 100 }), 512);
      assert.equal(monitor.resolveLimit({}, { limitMb: 100 }), 100);
      assert.equal(monitor.resolveLimit({ NODE_TEST_MEMORY_LIMIT_MB: 'off' }), null);
      assert.throws(() => monitor.resolveLimit({ NODE_TEST_MEMORY_LIMIT_MB: 'lots' }), /environment variable NODE_TEST_MEMORY_LIMIT_MB: memory limit 'lots' is not a number of MB, 'auto' or 'off'/);
      assert.throws(() => monitor.resolveLimit({}, { limitMb: -1 }), /option limitMb: memory limit '-1'/);
    });
  });

  test('auto: 80% of the cgroup v2 limit, shared by the workers; v1 too; no limit means physical memory', () => {
    const v2 = tempDir('netra-cg2-');
    mkdirSync(join(v2, 'sys', 'fs', 'cgroup'), { recursive: true });
    writeFileSync(join(v2, 'sys', 'fs', 'cgroup', 'memory.max'), `${1024 * 1024 * 1024}\n`);
    withEnv({ ...clean, NODE_TEST_MEMORY_SYSROOT: v2 }, () => assert.equal(monitor.resolveLimit({ NODE_TEST_MEMORY_WORKERS: '2' }), 409));
    const v1 = tempDir('netra-cg1-');
    mkdirSync(join(v1, 'sys', 'fs', 'cgroup', 'memory'), { recursive: true });
    writeFileSync(join(v1, 'sys', 'fs', 'cgroup', 'memory', 'memory.limit_in_bytes'), `${512 * 1024 * 1024}\n`);
    withEnv({ ...clean, NODE_TEST_MEMORY_SYSROOT: v1 }, () => assert.equal(monitor.resolveLimit({ NODE_TEST_MEMORY_WORKERS: '1' }), 409));
    writeFileSync(join(v2, 'sys', 'fs', 'cgroup', 'memory.max'), 'max\n');
    withEnv({ ...clean, NODE_TEST_MEMORY_SYSROOT: v2 }, () => {
      const mb = monitor.resolveLimit({ NODE_TEST_MEMORY_WORKERS: '1' })!;
      assert.ok(mb > 1024, `physical memory: ${mb} MB`);
    });
  });
});

describe('per-test verdicts', () => {
  test('fail: the test that crossed the limit fails; the one after it, holding the same memory, does not', () => {
    const { errors, lines, over, tests } = runSuite({ limitMb: LIMIT, action: 'fail' }, [{ name: 'small' }, { name: 'allocates', allocateMb: 200, keep: true }, { name: 'inherits' }]);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0]!, new RegExp(`^MemoryLimitError: \\[MEMORY\\] allocates: peak RSS \\d+ MB is over the limit of ${LIMIT} MB`));
    assert.deepEqual(over, ['allocates']);
    assert.ok(tests.find((t) => t.name === 'allocates')!.growth >= 190 * 2 ** 20, 'the allocation is seen');
    assert.match(lines.join('\n'), new RegExp(`^\\[MEMORY\\] suite\\.test\\.js: 3 tests, peak RSS \\d+ MB, limit ${LIMIT} MB \\(fail\\)\\n\\[MEMORY\\]   allocates: peak \\d+ MB, \\+\\d+ MB during the test`));
  });

  test('warn: reported, not thrown; an allocation freed before the test ends is still seen (the kernel high-water mark)', () => {
    const { errors, lines, freed, tests } = runSuite({ limitMb: LIMIT, action: 'warn', reportTop: 1 }, [{ name: 'allocates and frees', allocateMb: 300, free: true }]);
    assert.deepEqual(errors, []);
    const peakMb = tests[0]!.peak / 2 ** 20;
    // RSS read after the test would have missed at least 100 MB of what the test used at its peak.
    assert.ok(peakMb - freed[0]! >= 100, `peak ${peakMb.toFixed(0)} MB, RSS after the free ${freed[0]} MB`);
    assert.match(lines[0]!, /^\[MEMORY\] allocates and frees: peak RSS \d+ MB is over the limit/);
  });
});
