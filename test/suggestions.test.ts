/**
 * Suggestions (ESLint's `suggest`): edits a rule proposes with a finding that `fix` never applies, not even
 * with `--unsafe`. Vitest's `{ scope: 'worker' | 'file' }` fixtures are the first: removing the scope breaks
 * tests that rely on what the fixture shares (Vitest's own suite has one), so only the author can judge it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import asyncFixtureScope from '../src/runners/js/rules/async-fixture-scope.js';
import { check } from '../src/index.js';
import { reporters } from '../src/reporters/index.js';
import { allRules } from '../src/rules.js';
import { presetSeverity } from '../src/core/rule.js';
import { ruleMarkdown } from '../src/rule-docs.js';
import { onlyRule } from './support/cases.js';
import { RuleTester } from './support/rule-tester.js';
import { writeTree } from './support/env.js';
import { assertValidSarif } from './support/sarif.js';

const SHARED = `import { test as base, expect } from 'vitest';

const test = base.extend<{ counter: { n: number } }>({
  counter: [async ({}, use) => { await use({ n: 0 }); }, { scope: 'file' }],
});

test('first', ({ counter }) => { counter.n++; });
test('second sees the first', ({ counter }) => { expect(counter.n).toBe(1); });
`;
const UNSCOPED = SHARED.replace(
  "[async ({}, use) => { await use({ n: 0 }); }, { scope: 'file' }]",
  'async ({}, use) => { await use({ n: 0 }); }',
);

const WORKER = `import { test as base } from 'vitest';

export const test = base.extend({
  port: [async ({}, use) => { await use(1); }, { auto: true, scope: 'worker' }],
});
`;

new RuleTester().run(asyncFixtureScope, {
  valid: [],
  invalid: [
    {
      name: 'file-scoped Vitest fixture: a suggestion, never applied by fix --unsafe',
      files: { 'src/counter.test.ts': SHARED },
      errors: [
        {
          messageId: 'scopedFixture',
          data: { name: 'counter', scope: 'file' },
          line: 4,
          fix: null,
          suggestions: [{ title: 'Scope counter to the test', output: { 'src/counter.test.ts': UNSCOPED } }],
        },
      ],
      unsafe: true,
      output: null,
    },
    {
      name: 'worker scope beside other options: the suggestion removes only `scope`',
      files: { 'src/port.test.ts': WORKER },
      errors: [
        {
          messageId: 'scopedFixture',
          data: { scope: 'worker' },
          fix: null,
          suggestions: [{ title: 'Scope port to the test', output: { 'src/port.test.ts': WORKER.replace(", scope: 'worker'", '') } }],
        },
      ],
      unsafe: true,
      output: null,
    },
  ],
});

describe('suggestions in the reporters and docs', () => {
  const dir = writeTree({ 'src/counter.test.ts': SHARED, 'package.json': '{"devDependencies":{"vitest":"^4.0.0"}}\n' }, 'netra-suggest-');
  const run = async () => {
    const result = await check({ cwd: dir, paths: ['.'], rules: onlyRule('async-fixture-scope'), toolConfig: false });
    const input = {
      diagnostics: result.diagnostics,
      problems: result.problems,
      cwd: dir,
      color: false,
      fixable: { safe: 0, unsafe: 0 },
      tool: { version: '0.0.0', rules: allRules.map((r) => ({ ...r.meta, severity: presetSeverity(r.meta.severity, 'recommended') })) },
    };
    return input;
  };

  test('json carries the suggestion with its edit located in the file; fix stays null', async () => {
    const findings = JSON.parse(reporters.json(await run())) as Record<string, unknown>[];
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.fix, null);
    assert.deepEqual(findings[0]!.suggestions, [
      {
        title: 'Scope counter to the test',
        edits: [
          {
            file: 'src/counter.test.ts',
            line: 4,
            column: 12,
            endLine: 4,
            endColumn: 76,
            text: 'async ({}, use) => { await use({ n: 0 }); }',
          },
        ],
      },
    ]);
  });

  test('sarif carries it as a proposed `fixes` entry and stays valid SARIF 2.1.0', async () => {
    const log = JSON.parse(reporters.sarif(await run()));
    assertValidSarif(log);
    const result = log.runs[0].results[0];
    assert.equal(result.properties, undefined, 'no applicable fix');
    assert.deepEqual(result.fixes, [
      {
        description: { text: 'Scope counter to the test' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'src/counter.test.ts', uriBaseId: '%SRCROOT%' },
            replacements: [
              {
                deletedRegion: { startLine: 4, startColumn: 12, endLine: 4, endColumn: 76 },
                insertedContent: { text: 'async ({}, use) => { await use({ n: 0 }); }' },
              },
            ],
          },
        ],
      },
    ]);
  });

  test('stylish marks it [suggestion]; explain names the Vitest/Jest variant a suggestion', async () => {
    assert.match(reporters.stylish(await run()), /async-fixture-scope \[suggestion\]/);
    const page = ruleMarkdown(allRules.find((r) => r.meta.id === 'async-fixture-scope')!);
    assert.match(page, /## Vitest and Jest\nSeverity: every preset: warning\. Fix: suggestion\./);
  });
});
