// The registry of pytest rules: one file per rule under rules/, named by its id.
import asyncFixtureScope from './rules/async-fixture-scope.js';
import asyncioMarkLoopScope from './rules/asyncio-mark-loop-scope.js';
import functionLoopScope from './rules/function-loop-scope.js';
import knownOptions from './rules/known-options.js';
import outdatedMemoryMonitor from './rules/outdated-memory-monitor.js';
import noEventLoopFixture from './rules/no-event-loop-fixture.js';
import registeredMarkers from './rules/registered-markers.js';
import requireFailFast from './rules/require-fail-fast.js';
import requireMemoryLimit from './rules/require-memory-limit.js';
import requireStrictConfig from './rules/require-strict-config.js';
import requireTestpaths from './rules/require-testpaths.js';
import requireTimeout from './rules/require-timeout.js';
import shadowedConfig from './rules/shadowed-config.js';
import singleTestRoot from './rules/single-test-root.js';
import type { PytestRule } from './rule-kit.js';

export const pytestRules: readonly PytestRule[] = [
  singleTestRoot,
  functionLoopScope,
  requireTimeout,
  requireMemoryLimit,
  outdatedMemoryMonitor,
  requireFailFast,
  knownOptions,
  requireStrictConfig,
  shadowedConfig,
  asyncFixtureScope,
  noEventLoopFixture,
  asyncioMarkLoopScope,
  registeredMarkers,
  requireTestpaths,
];
