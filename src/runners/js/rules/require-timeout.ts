import { defineRule } from '../../../core/rule.js';
import type { JsConfigTarget } from '../config.js';
import { addOptions, missingAt, option, readableOptions, readFromRoot, subject } from '../rule-kit.js';

interface Options {
  testTimeoutMs?: number;
  hookTimeoutMs?: number;
}

/** The runners' own defaults: what the fix writes unless told otherwise, so a fixed config behaves as before. */
const DEFAULT_MS = { testTimeout: 5000, hookTimeout: 10000 } as const;

/** Jest: `testTimeout`. Vitest: `testTimeout` and `hookTimeout` (hooks have their own, 10 s by default). */
const KEYS = { jest: ['testTimeout'], vitest: ['testTimeout', 'hookTimeout'] } as const;

export default defineRule<JsConfigTarget, 'missing' | 'zero', Options>({
  meta: {
    id: 'require-timeout',
    runners: ['jest', 'vitest'],
    severity: 'error',
    fix: 'sometimes',
    description: 'Every test has a time limit.',
    messages: {
      missing: '{{subject}} does not state {{keys}}: a hung test is stopped only by an unwritten default that any file can raise unreviewed',
      zero: '`{{key}}: 0` turns the timeout off in Vitest: a test that hangs holds its worker until the CI job is killed',
    },
    options: {
      type: 'object',
      properties: {
        testTimeoutMs: { type: 'number', exclusiveMinimum: 0, default: 5000, description: 'Jest, Vitest: the `testTimeout` the fix writes, in milliseconds (default: the runners\' own).' },
        hookTimeoutMs: { type: 'number', exclusiveMinimum: 0, default: 10000, description: 'Vitest: the `hookTimeout` the fix writes, in milliseconds (default: Vitest\'s own).' },
      },
      additionalProperties: false,
    },
    defaultOptions: { testTimeoutMs: DEFAULT_MS.testTimeout, hookTimeoutMs: DEFAULT_MS.hookTimeout },
    docs: {
      what: 'Flags a Jest config without `testTimeout`, and a Vitest config without `testTimeout` or `hookTimeout` (in its `test` block), or with either set to 0 (which Vitest reads as no timeout).',
      why: 'A hung test that is never stopped holds its worker and its memory until the CI job is killed, with no name on the failure. The runners default to 5 s per test and 10 s per Vitest hook, but an unwritten default is easy to lose: a `--testTimeout` in a script or a `0` in a config turns it off without review. Writing the ceiling in the config makes it part of the code.',
      example: {
        file: 'vitest.config.ts',
        bad: "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    include: ['src/**/*.test.ts'],\n  },\n});\n",
        good: "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    include: ['src/**/*.test.ts'],\n    testTimeout: 5000,\n    hookTimeout: 10000,\n  },\n});\n",
      },
      fixSafety: 'Safe: the fix adds the missing keys with the runners\' own defaults (5000 ms per test, 10000 ms per Vitest hook; options `testTimeoutMs`, `hookTimeoutMs`), so every test behaves as before, in the file\'s own quote and indentation style. Replacing a Vitest `0` with `testTimeoutMs`/`hookTimeoutMs` is unsafe: tests that ran longer than that now fail.',
    },
  },
  check(ctx, target) {
    const readable = readableOptions(target);
    if (!readable) return;
    const ms = { testTimeout: ctx.options.testTimeoutMs ?? DEFAULT_MS.testTimeout, hookTimeout: ctx.options.hookTimeoutMs ?? DEFAULT_MS.hookTimeout };
    // Jest reads 0 as "time out at once" (every test fails), not as "off": only Vitest's 0 is a finding.
    for (const key of target.runner === 'vitest' ? KEYS.vitest : []) {
      const found = option(target, key);
      if (found?.value.kind === 'number' && found.value.value === 0) {
        ctx.report({
          messageId: 'zero',
          data: { key },
          start: found.value.start,
          end: found.value.end,
          fix: found.value.file === target.file ? { title: `Set ${key} to ${ms[key]}`, applicability: 'unsafe', edits: [{ file: target.file, start: found.value.start, end: found.value.end, text: String(ms[key]) }] } : null,
        });
      }
    }
    // A Jest project's `testTimeout` is the root config's (jest-circus reads the global one).
    const missing = KEYS[target.runner].filter((key) => !option(target, key) && !readFromRoot(target, key));
    if (missing.length === 0) return;
    const edits = addOptions(target, missing.map((k) => [k, ms[k]] as const));
    ctx.report({
      messageId: 'missing',
      data: { subject: subject(target), keys: missing.map((k) => `\`${k}\``).join(' or ') },
      ...missingAt(target),
      fix: edits ? { title: `Add ${missing.join(', ')}`, applicability: 'safe', edits } : null,
    });
  },
});
