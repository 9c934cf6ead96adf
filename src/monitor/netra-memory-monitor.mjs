// netra-memory-monitor 1.1.1, the Vitest adapter of the Node memory monitor written by netra-migrate.
// netra-migrate-sha256: {{checksum}}
// Registered in `setupFiles`, it hands Vitest's hooks to the monitor in netra-memory-monitor.cjs (loaded by
// Node itself, beside this file).
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';

// Vitest hands each hook the test's context, whose skip() the `skip` action uses.
createRequire(import.meta.url)('./netra-memory-monitor.cjs').install({ beforeEach, afterEach, afterAll, expect, canSkip: true });
