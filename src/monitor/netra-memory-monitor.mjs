// netra-memory-monitor 1.2.0, the Vitest adapter of the Node memory monitor written by netra-migrate.
// netra-migrate-sha256: {{checksum}}
// Registered in `setupFiles`, it hands Vitest's hooks to the monitor in netra-memory-monitor.cjs (loaded by
// Node itself, beside this file), with the number of workers this run uses: Vitest's resolved `maxWorkers`
// (`fileParallelism: false` and `--no-file-parallelism` make it 1; Vitest 3's `singleFork`/`singleThread` too).
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';

function runnerWorkers() {
  const config = globalThis.__vitest_worker__?.config;
  if (!config) return null;
  const pools = config.poolOptions ?? {};
  if (pools.forks?.singleFork || pools.threads?.singleThread || pools.vmForks?.singleFork || pools.vmThreads?.singleThread) return 1;
  return Number.isInteger(config.maxWorkers) && config.maxWorkers > 0 ? config.maxWorkers : null;
}

// Vitest hands each hook the test's context, whose skip() the `skip` action uses.
createRequire(import.meta.url)('./netra-memory-monitor.cjs').install(
  { beforeEach, afterEach, afterAll, expect, canSkip: true },
  { runnerWorkers: runnerWorkers() },
);
