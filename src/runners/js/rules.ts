// The Jest/Vitest rules, one per file named by its id (ids shared with pytest where the concept is the same),
// discovered at build time (src/rules.ts): config rules, and test-file rules (`meta.sources`).
import type { Rule } from '../../core/rule.js';
import { rulesIn } from '../../rules.js';
import type { JsConfigTarget } from './config.js';
import type { JsTestSource } from './sources.js';

// Functions, called when a run starts: rule modules import the runner models, which import this file.
export const jsConfigRules = (): readonly Rule<JsConfigTarget, string, any>[] => rulesIn('js').filter((r) => r.meta.sources !== true);
export const jsSourceRules = (): readonly Rule<JsTestSource, string, any>[] => rulesIn('js').filter((r) => r.meta.sources === true);
