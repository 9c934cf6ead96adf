// The pytest rules: one file per rule under rules/, named by its id, discovered at build time (src/rules.ts).
import { rulesIn } from '../../rules.js';
import type { PytestRule } from './rule-kit.js';

/** Called when a run starts, not at load: rule modules import the runner models, which import this file. */
export const pytestRules = (): readonly PytestRule[] => rulesIn('pytest');
