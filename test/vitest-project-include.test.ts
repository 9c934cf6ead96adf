/**
 * A Vitest project's `include` is a file filter (issue 25, item 4): one inline project whose `include` spans
 * `packages/` and `tools/` is a warning under every preset (like the file's `projects` themselves), and the
 * narrowing is a suggestion that `fix` never applies, since nothing else collects the tests it would drop.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import '../src/index.js'; // the rule registry first: the rule modules import each other through it
import { check, fix } from '../src/index.js';
import jsSingleTestRoot from '../src/runners/js/rules/single-test-root.js';
import { RuleTester } from './support/rule-tester.js';
import { onlyRule } from './support/cases.js';
import { writeTree } from './support/env.js';

const tester = new RuleTester();

const CONFIG =
  "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    projects: [\n      {\n        test: {\n          name: 'unit',\n          include: ['packages/**/*.spec.ts', 'tools/**/*.spec.ts'],\n        },\n      },\n      { test: { name: 'e2e', include: ['e2e/**/*.spec.ts'] } },\n    ],\n  },\n});\n";
const FILES = {
  'package.json': JSON.stringify({ name: 'mono', private: true, devDependencies: { vitest: '^4.0.0' } }) + '\n',
  'vitest.config.ts': CONFIG,
  'packages/a/src/a.spec.ts': "import { test } from 'vitest';\ntest('a', () => {});\n",
  'packages/b/src/b.spec.ts': "import { test } from 'vitest';\ntest('b', () => {});\n",
  'tools/gen/gen.spec.ts': "import { test } from 'vitest';\ntest('gen', () => {});\n",
  'e2e/app.spec.ts': "import { test } from 'vitest';\ntest('app', () => {});\n",
};

tester.run(jsSingleTestRoot, {
  valid: [],
  invalid: [
    {
      name: "a project's include over packages/ and tools/: a warning with a suggestion, and no fix even with --unsafe",
      files: FILES,
      unsafe: true,
      errors: [
        { messageId: 'projects', severity: 'warning', line: 5 },
        {
          messageId: 'projectInclude',
          data: { project: 'unit', count: 2, dropped: '`tools` (1 test file)' },
          severity: 'warning',
          line: 9,
          fix: null,
          suggestions: [
            {
              title: 'Keep packages/**/*.spec.ts',
              output: {
                'vitest.config.ts': CONFIG.replace("['packages/**/*.spec.ts', 'tools/**/*.spec.ts']", "['packages/**/*.spec.ts']"),
              },
            },
          ],
        },
      ],
      output: null,
    },
  ],
});

describe("a Vitest project's include under the strict preset", () => {
  test('stays a warning (a file filter is not the policy several roots are), and fix --unsafe leaves the file as it is', async () => {
    const dir = writeTree(FILES);
    const rules = onlyRule('single-test-root');
    const result = await check({ cwd: dir, paths: ['.'], rules, toolConfig: false, preset: 'strict' });
    assert.deepEqual(
      result.diagnostics.map((d) => `${d.messageId} ${d.severity}`),
      ['projects warning', 'projectInclude warning'],
    );
    const fixed = await fix({ cwd: dir, paths: ['.'], rules, toolConfig: false, preset: 'strict', unsafe: true, write: false });
    assert.deepEqual(fixed.changes, []);
  });
});
