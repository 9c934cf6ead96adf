/**
 * A Vite build config is not a Vitest config (issue 25, item 3): a `vite.config.*` without a `test` block is
 * read as Vitest's only where a Vitest run would read it. A package whose every Vitest script names another
 * config (`vitest --config vitest.node.config.js`) keeps its vite.config as Vite's alone: no finding, and no
 * fix writes a `test` block into a browser-client build config.
 */
import '../src/index.js'; // the rule registry first: the rule modules import each other through it
import jsRequireMemoryLimit from '../src/runners/js/rules/require-memory-limit.js';
import jsRequireTimeout from '../src/runners/js/rules/require-timeout.js';
import { RuleTester } from './support/rule-tester.js';

const tester = new RuleTester();

const VITE_BUILD = "import { defineConfig } from 'vite';\n\nexport default defineConfig({\n  build: { outDir: 'dist/client' },\n});\n";
const VITEST_NODE =
  "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: { include: ['test/**/*.test.js'], testTimeout: 10000, hookTimeout: 10000 },\n});\n";
const pkg = (scripts: Record<string, string>) =>
  JSON.stringify({ name: 'app', type: 'module', scripts, devDependencies: { vite: '^7.0.0', vitest: '^4.0.0' } }, null, 2) + '\n';
const project = (scripts: Record<string, string>) => ({
  'package.json': pkg(scripts),
  'vite.config.ts': VITE_BUILD,
  'vitest.node.config.js': VITEST_NODE,
  'test/a.test.js': "import { test } from 'vitest';\ntest('a', () => {});\n",
});

const NAMED = { build: 'vite build', test: 'vitest --config vitest.node.config.js', 'test:watch': 'vitest -c vitest.node.config.js watch' };

tester.run(jsRequireTimeout, {
  valid: [{ name: 'every Vitest script names vitest.node.config.js: the vite.config gets no timeout finding', files: project(NAMED) }],
  invalid: [],
});

tester.run(jsRequireMemoryLimit, {
  valid: [],
  invalid: [
    {
      name: 'every Vitest script names another config: only that config is judged, the vite.config is left alone',
      files: project(NAMED),
      errors: [{ messageId: 'missing', file: 'vitest.node.config.js', line: 4 }],
    },
    {
      name: 'a script that runs plain `vitest` reads the vite.config too: both are judged',
      files: project({ ...NAMED, 'test:browser': 'vitest run' }),
      errors: [
        { messageId: 'missing', file: 'vite.config.ts' },
        { messageId: 'missing', file: 'vitest.node.config.js', line: 4 },
      ],
    },
    {
      name: 'a package that depends on Vitest and has no Vitest script: `npx vitest` reads the vite.config',
      files: {
        'package.json': pkg({ build: 'vite build' }),
        'vite.config.ts': VITE_BUILD,
        'test/a.test.js': "import { test } from 'vitest';\ntest('a', () => {});\n",
      },
      errors: [{ messageId: 'missing', file: 'vite.config.ts' }],
    },
  ],
});
