// Every rule of every runner, for `netra-migrate rules`, docs and SARIF. Rules that several runners share
// an id with (single-test-root, require-timeout, ...) are listed once, by their pytest implementation.
import { unusedSuppression } from './core/suppressions.js';
import consistentMemoryLimits from './runners/compose/rules/consistent-memory-limits.js';
import { pytestRules } from './runners/pytest/rules.js';

export const allRules = [...pytestRules, consistentMemoryLimits, unusedSuppression];
