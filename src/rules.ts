// Every rule of every runner, for `netra-migrate rules`, docs, SARIF and the tool config. Runners share an id
// where the concept is the same (single-test-root for pytest, Jest and Vitest): `allRules` has one entry per
// id, the first implementation's, with the runners, options and docs of the others merged in, so one
// `"require-timeout": ["error", {...}]` setting configures every runner and one page documents them all.
import { unusedSuppression } from './core/suppressions.js';
import type { Rule, RuleMeta } from './core/rule.js';
import consistentMemoryLimits from './runners/compose/rules/consistent-memory-limits.js';
import { jsConfigRules, jsSourceRules } from './runners/js/rules.js';
import { pytestRules } from './runners/pytest/rules.js';

type AnyRule = Rule<any, string, any>;

/** Every implementation, one per runner family (the meta-test checks each one's docs and examples). */
export const ruleImplementations: readonly AnyRule[] = [...pytestRules, consistentMemoryLimits, ...jsConfigRules, ...jsSourceRules, unusedSuppression];

function merge(first: AnyRule, other: AnyRule): AnyRule {
  const a = first.meta;
  const b = other.meta;
  const meta: RuleMeta<string, any> = {
    ...a,
    runners: [...new Set([...a.runners, ...b.runners])],
    fix: a.fix === b.fix ? a.fix : a.fix === 'none' && b.fix === 'none' ? 'none' : 'sometimes',
    options: { ...a.options, properties: { ...(a.options.properties as object), ...(b.options.properties as object) } },
    defaultOptions: { ...a.defaultOptions, ...b.defaultOptions },
    variants: [...(a.variants ?? []), b],
  };
  return { ...first, meta };
}

export const allRules: readonly AnyRule[] = (() => {
  const byId = new Map<string, AnyRule>();
  for (const rule of ruleImplementations) {
    const seen = byId.get(rule.meta.id);
    byId.set(rule.meta.id, seen ? merge(seen, rule) : rule);
  }
  return [...byId.values()];
})();
