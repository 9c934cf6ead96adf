/** Every rule carries its own proof: docs with all sections, valid and invalid cases, a fixed case if it fixes, and docs examples that behave as they claim. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { check } from '../src/index.js';
import { unusedSuppression } from '../src/core/suppressions.js';
import { ruleModules } from '../src/generated/rule-modules.js';
import { allRules, ruleImplementations } from '../src/rules.js';
import { explainRule, ruleDocFiles, withRuleTable } from '../src/rule-docs.js';
import { RULE_FIXTURES, listFiles, onlyRule } from './support/cases.js';
import { ROOT, tempDir } from './support/env.js';

async function fires(rule: string, file: string, text: string, beside: Record<string, string> = {}): Promise<boolean> {
  const dir = tempDir('netra-doc-');
  for (const [name, content] of Object.entries(beside)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
  const result = await check({ cwd: dir, paths: ['.'], rules: onlyRule(rule) });
  assert.deepEqual(result.problems, [], `example of ${rule} must parse`);
  return result.diagnostics.some((d) => d.rule === rule);
}

test('rule ids are unique and kebab-case', () => {
  const ids = allRules.map((r) => r.meta.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^[a-z]+(-[a-z]+)*$/);
});

test('every fixture folder belongs to a rule', () => {
  const ids = new Set(allRules.map((r) => r.meta.id));
  for (const dir of readdirSync(RULE_FIXTURES)) assert.ok(ids.has(dir), `fixtures/rules/${dir} has no rule`);
});

for (const rule of allRules) {
  describe(rule.meta.id, () => {
    test('has complete docs', () => {
      const { docs, description, messages } = rule.meta;
      for (const [k, v] of Object.entries({ what: docs.what, why: docs.why, fixSafety: docs.fixSafety, description })) {
        assert.ok(v.trim().length >= 20, `${k} is missing or too short`);
      }
      assert.ok(Object.keys(messages).length > 0);
      const page = explainRule(allRules, rule.meta.id)!;
      for (const heading of ['## What it does', '## Why is this bad?', '## Example', '## Fix safety', '## Options'])
        assert.ok(page.includes(heading), heading);
    });

    test('has valid and invalid cases, and a fixed-output case if it fixes', () => {
      const dir = join(RULE_FIXTURES, rule.meta.id);
      assert.ok(existsSync(dir), `fixtures/rules/${rule.meta.id} missing`);
      const cases = readdirSync(dir);
      assert.ok(
        cases.some((c) => c.startsWith('valid-')),
        'no valid case',
      );
      const invalid = cases.filter((c) => c.startsWith('invalid-'));
      assert.ok(invalid.length > 0, 'no invalid case');
      // A suggestion is never applied, so it has no fixed output (its cases record the proposed edits).
      if (rule.meta.fix !== 'none' && rule.meta.fix !== 'suggestion')
        assert.ok(
          invalid.some((c) => existsSync(join(dir, c, 'output'))),
          'fixable rule without a fixed-output case',
        );
      else
        assert.ok(
          invalid.every((c) => !existsSync(join(dir, c, 'output'))),
          'a rule that does not fix has fixed output',
        );
    });
  });
}

// Each implementation (pytest's, Jest/Vitest's) carries its own docs, example and cases.
const JS_CASE_FILE = /\.([cm]?[jt]sx?|json)$/;
for (const rule of ruleImplementations) {
  const family = rule.meta.runners.includes('pytest') ? 'pytest' : 'jest/vitest';
  describe(`${rule.meta.id} (${family})`, () => {
    test('its docs example: the bad one fires, the good one does not', async () => {
      const { file, bad, good, beside } = rule.meta.docs.example;
      assert.equal(await fires(rule.meta.id, file, bad, beside), true, 'bad example does not fire');
      assert.equal(await fires(rule.meta.id, file, good, beside), false, 'good example fires');
    });

    test('has its own docs sections and valid and invalid cases for its runners', () => {
      for (const [k, v] of Object.entries({ what: rule.meta.docs.what, why: rule.meta.docs.why, fixSafety: rule.meta.docs.fixSafety }))
        assert.ok(v.trim().length >= 20, `${k} is missing or too short`);
      if (family === 'pytest') return;
      const dir = join(RULE_FIXTURES, rule.meta.id);
      const jsCases = readdirSync(dir).filter((c) =>
        listFiles(join(dir, c, 'input')).some((f) => JS_CASE_FILE.test(f) && !f.includes('netra-memory-monitor')),
      );
      assert.ok(
        jsCases.some((c) => c.startsWith('valid-')),
        'no valid Jest/Vitest case',
      );
      assert.ok(
        jsCases.some((c) => c.startsWith('invalid-')),
        'no invalid Jest/Vitest case',
      );
      // A suggestion is never applied, so it has no fixed output (its cases record the proposed edits).
      if (rule.meta.fix !== 'none' && rule.meta.fix !== 'suggestion')
        assert.ok(
          jsCases.some((c) => c.startsWith('invalid-') && existsSync(join(dir, c, 'output'))),
          'no fixed-output Jest/Vitest case',
        );
      assert.match(explainRule(allRules, rule.meta.id)!, /^## (Jest|Vitest)/m, 'the rule page has no Jest/Vitest section');
    });
  });
}

test('docs/rules/ is generated from the rules (npm run schemas)', () => {
  const dir = join(ROOT, 'docs', 'rules');
  const expected = ruleDocFiles(allRules);
  assert.deepEqual(readdirSync(dir).sort(), Object.keys(expected).sort());
  for (const [name, text] of Object.entries(expected))
    assert.equal(readFileSync(join(dir, name), 'utf8'), text, `docs/rules/${name} is stale`);
});

test('the README rule table is generated from the rules (npm run schemas)', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.equal(readme, withRuleTable(readme, allRules), 'README.md rule table is stale: run npm run schemas');
  for (const rule of allRules)
    assert.ok(readme.includes(`[\`${rule.meta.id}\`](docs/rules/${rule.meta.id}.md)`), `${rule.meta.id} has no README row`);
});

/**
 * The one place that holds the wording of every message: fixture cases and RuleTester cases record message
 * ids and data, and the rules test checks each message is its template filled with its data. A wording
 * change shows here as one reviewable diff (UPDATE_FIXTURES=1 rewrites it).
 */
test('every message template, by rule file and message id (test/snapshots/messages.json)', () => {
  const file = join(ROOT, 'test', 'snapshots', 'messages.json');
  const messages: Record<string, Record<string, string>> = {};
  for (const { runner, rule } of ruleModules) messages[`src/runners/${runner}/rules/${rule.meta.id}.ts`] = { ...rule.meta.messages };
  messages[`src/core/suppressions.ts (${unusedSuppression.meta.id})`] = { ...unusedSuppression.meta.messages };
  if (process.env.UPDATE_FIXTURES === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(messages, null, 2) + '\n');
  }
  assert.deepEqual(messages, JSON.parse(readFileSync(file, 'utf8')), 'message wording changed: review it, then UPDATE_FIXTURES=1');
});
