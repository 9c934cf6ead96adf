// Every rule of every runner, for `netra-migrate rules`, docs, SARIF and the tool config. Runners share an id
// where the concept is the same (single-test-root for pytest, Jest and Vitest): `allRules` has one entry per
// id, the first implementation's, with the runners, options and docs of the others merged in, so one
// `"require-timeout": ["error", {...}]` setting configures every runner and one page documents them all.
import { unusedSuppression } from './core/suppressions.js';
import type { Rule, RuleMeta } from './core/rule.js';
import { ruleModules } from './generated/rule-modules.js';

type AnyRule = Rule<any, string, any>;

/** The folders under src/runners/ that hold rules, in the order their findings and docs come. */
export type RuleFolder = (typeof ruleModules)[number]['runner'];
const FOLDER_ORDER: readonly string[] = ['pytest', 'compose', 'ci', 'js'];

/**
 * Every rule implementation, discovered at build time (src/generated/rule-modules.ts, from
 * src/runners/<folder>/rules/*.ts): adding a rule is adding its file. The analyzers take theirs from here.
 */
const discovered = [...ruleModules].sort((a, b) => FOLDER_ORDER.indexOf(a.runner) - FOLDER_ORDER.indexOf(b.runner));

/** The rules of one runner folder (`js` holds Jest/Vitest config rules and, with `meta.sources`, test-file rules). */
export function rulesIn(folder: RuleFolder): AnyRule[] {
  return discovered.filter((m) => m.runner === folder).map((m) => m.rule as AnyRule);
}

/**
 * Every implementation with docs of its own, one per runner family (the meta-test checks each one's docs and
 * examples). The Compose and CI sides of a pytest rule share the pytest rule's metadata and page.
 */
export const ruleImplementations: readonly AnyRule[] = (() => {
  const seenDocs = new Set<unknown>();
  const out: AnyRule[] = [];
  for (const rule of [...discovered.map((m) => m.rule as AnyRule), unusedSuppression as AnyRule]) {
    if (seenDocs.has(rule.meta.docs)) continue;
    seenDocs.add(rule.meta.docs);
    out.push(rule);
  }
  return out;
})();

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
