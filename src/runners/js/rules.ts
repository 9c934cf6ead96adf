// The Jest/Vitest rules, one per file named by its id (ids shared with pytest where the concept is the same).
import type { Rule } from '../../core/rule.js';
import type { JsConfigTarget } from './config.js';
import type { JsTestSource } from './sources.js';
import asyncFixtureScope from './rules/async-fixture-scope.js';
import knownOptions from './rules/known-options.js';
import outdatedMemoryMonitor from './rules/outdated-memory-monitor.js';
import requireMemoryLimit from './rules/require-memory-limit.js';
import requireTimeout from './rules/require-timeout.js';
import singleTestRoot from './rules/single-test-root.js';

export const jsConfigRules: readonly Rule<JsConfigTarget, string, any>[] = [singleTestRoot, requireTimeout, requireMemoryLimit, outdatedMemoryMonitor, knownOptions];
export const jsSourceRules: readonly Rule<JsTestSource, string, any>[] = [asyncFixtureScope];
