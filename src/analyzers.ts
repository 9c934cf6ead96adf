// Every analyzer a run uses, in order: pytest configs and sources, Compose files, places that launch pytest
// (CI, tox, nox, Makefiles, scripts), Jest and Vitest.
import type { Analyzer } from './core/engine.js';
import { ciAnalyzer } from './runners/ci/index.js';
import { composeAnalyzer } from './runners/compose/index.js';
import { jsAnalyzer } from './runners/js/index.js';
import { pytestAnalyzer } from './runners/pytest/index.js';

export const analyzers: readonly Analyzer[] = [pytestAnalyzer, composeAnalyzer, ciAnalyzer, jsAnalyzer];
