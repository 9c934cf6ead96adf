import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleSettings } from '../../src/core/settings.js';
import { allRules } from '../../src/rules.js';
import { ROOT } from './env.js';

export const RULE_FIXTURES = join(ROOT, 'fixtures', 'rules');

export interface RuleCase {
  rule: string;
  name: string;
  dir: string;
  valid: boolean;
  settings: RuleSettings;
}

/** Only the rule under test runs (and any rule options.json turns on), so each case's expectations are about that rule. */
export function onlyRule(rule: string, extra: RuleSettings = {}): RuleSettings {
  const settings: RuleSettings = {};
  for (const r of allRules) settings[r.meta.id] = 'off';
  // options.json may also turn on other rules a case needs (a suppression needs something to suppress).
  Object.assign(settings, extra);
  if (!extra[rule]) delete settings[rule];
  return settings;
}

export function ruleCases(): RuleCase[] {
  const out: RuleCase[] = [];
  for (const rule of readdirSync(RULE_FIXTURES).sort()) {
    for (const name of readdirSync(join(RULE_FIXTURES, rule)).sort()) {
      const dir = join(RULE_FIXTURES, rule, name);
      const optionsFile = join(dir, 'options.json');
      const extra = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')).rules as RuleSettings) : {};
      out.push({ rule, name, dir, valid: name.startsWith('valid-'), settings: onlyRule(rule, extra) });
    }
  }
  // RULE_CASES=<regex> runs only the cases whose `rule/name` matches (while working on one rule).
  const only = process.env.RULE_CASES ? new RegExp(process.env.RULE_CASES) : null;
  return only ? out.filter((c) => only.test(`${c.rule}/${c.name}`)) : out;
}

export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split('\\').join('/'))
    .sort();
}

/** A finding as the fixtures record it: the JSON reporter's shape, everything a user sees. */
export { jsonFinding as recorded } from '../../src/reporters/json.js';
