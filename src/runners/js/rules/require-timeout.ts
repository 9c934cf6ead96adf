import { defineRule } from '../../../core/rule.js';
import type { JsConfigTarget } from '../config.js';
import { addOptions, missingAt, option, readableOptions, readFromRoot, runnerTitle, subject } from '../rule-kit.js';

interface Options {
  testTimeoutMs?: number;
  hookTimeoutMs?: number;
  requireExplicit?: boolean;
  maxTimeoutMs?: number;
}

/** The runners' own defaults: what the fix writes unless told otherwise, so a fixed config behaves as before. */
const DEFAULT_MS = { testTimeout: 5000, hookTimeout: 10000 } as const;

/** Above this a timeout protects nothing in CI (a hung test holds its worker for longer than most jobs run). */
const MAX_TIMEOUT_MS = 600_000;
/** Node's timers take at most 2^31 - 1 ms; a longer `testTimeout` overflows to 1 ms and every test times out. */
const MAX_NODE_TIMER_MS = 2_147_483_647;

/** Jest: `testTimeout`. Vitest: `testTimeout` and `hookTimeout` (hooks have their own, 10 s by default). */
const KEYS = { jest: ['testTimeout'], vitest: ['testTimeout', 'hookTimeout'] } as const;

export default defineRule<JsConfigTarget, 'missing' | 'zero' | 'tooLong', Options>({
  meta: {
    id: 'require-timeout',
    runners: ['jest', 'vitest'],
    // Jest and Vitest stop a test after 5 s unless told otherwise: an unwritten timeout is a warning under
    // every preset; a timeout of 0 or above the bound is an error (set per finding).
    severity: 'warning',
    fix: 'sometimes',
    description: 'Every test has a time limit.',
    messages: {
      missing:
        '{{subject}} does not state {{keys}}: {{runner}} stops a hung test after its built-in default ({{defaults}}), which a `--testTimeout` in a script can change unreviewed',
      zero: '`{{key}}: 0` turns the timeout off in Vitest: a test that hangs holds its worker until the CI job is killed',
      tooLong:
        '`{{key}}: {{value}}` lets a hung test hold its worker for {{minutes}} min (over the bound of {{max}} ms): in CI that is no timeout at all',
    },
    options: {
      type: 'object',
      properties: {
        testTimeoutMs: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: MAX_NODE_TIMER_MS,
          default: 5000,
          description: "Jest, Vitest: the `testTimeout` the fix writes, in milliseconds (default: the runners' own).",
        },
        hookTimeoutMs: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: MAX_NODE_TIMER_MS,
          default: 10000,
          description: "Vitest: the `hookTimeout` the fix writes, in milliseconds (default: Vitest's own).",
        },
        requireExplicit: {
          type: 'boolean',
          default: false,
          description:
            'Jest, Vitest: report an unwritten timeout as an error (by default a warning: the runners stop a test after 5 s on their own).',
        },
        maxTimeoutMs: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: MAX_NODE_TIMER_MS,
          default: MAX_TIMEOUT_MS,
          description:
            'Jest, Vitest: a written `testTimeout`/`hookTimeout` above this is an error (a timeout too long to stop anything in CI).',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: {
      testTimeoutMs: DEFAULT_MS.testTimeout,
      hookTimeoutMs: DEFAULT_MS.hookTimeout,
      requireExplicit: false,
      maxTimeoutMs: MAX_TIMEOUT_MS,
    },
    docs: {
      what: 'Errors on a timeout that is off or too long to stop anything: a Vitest `testTimeout`/`hookTimeout` of 0 (no timeout), or a Jest/Vitest timeout above `maxTimeoutMs` (10 minutes). Warns (error with `requireExplicit`) on a Jest config without `testTimeout`, or a Vitest config without `testTimeout` or `hookTimeout` in its `test` block.',
      why: 'A hung test that is never stopped holds its worker and its memory until the CI job is killed, with no name on the failure. Jest and Vitest stop a test after 5 s (a Vitest hook after 10 s) on their own, so an unwritten timeout is only a warning: the default is easy to lose (a `--testTimeout` in a script changes it unreviewed), and writing it makes it part of the code. A 0 or an hour-long timeout is the hang itself.',
      example: {
        file: 'vitest.config.ts',
        bad: "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    include: ['src/**/*.test.ts'],\n  },\n});\n",
        good: "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    include: ['src/**/*.test.ts'],\n    testTimeout: 5000,\n    hookTimeout: 10000,\n  },\n});\n",
      },
      fixSafety:
        "Safe: the fix adds the missing keys with the runners' own defaults (5000 ms per test, 10000 ms per Vitest hook; options `testTimeoutMs`, `hookTimeoutMs`), so every test behaves as before, in the file's own quote and indentation style. Replacing a Vitest `0` with `testTimeoutMs`/`hookTimeoutMs` is unsafe: tests that ran longer than that now fail.",
    },
  },
  check(ctx, target) {
    const readable = readableOptions(target);
    if (!readable) return;
    const ms = {
      testTimeout: ctx.options.testTimeoutMs ?? DEFAULT_MS.testTimeout,
      hookTimeout: ctx.options.hookTimeoutMs ?? DEFAULT_MS.hookTimeout,
    };
    // Jest reads 0 as "time out at once" (every test fails), not as "off": only Vitest's 0 is a finding.
    const max = ctx.options.maxTimeoutMs ?? MAX_TIMEOUT_MS;
    for (const key of KEYS[target.runner]) {
      const found = option(target, key);
      if (found?.value.kind === 'number' && found.value.value > max) {
        ctx.report({
          messageId: 'tooLong',
          severity: 'error',
          data: { key, value: found.value.value, max, minutes: Math.round(found.value.value / 60_000) },
          start: found.value.start,
          end: found.value.end,
        });
      }
      if (target.runner !== 'vitest') continue;
      if (found?.value.kind === 'number' && found.value.value === 0) {
        ctx.report({
          messageId: 'zero',
          severity: 'error',
          data: { key },
          start: found.value.start,
          end: found.value.end,
          fix:
            found.value.file === target.file
              ? {
                  title: `Set ${key} to ${ms[key]}`,
                  applicability: 'unsafe',
                  edits: [{ file: target.file, start: found.value.start, end: found.value.end, text: String(ms[key]) }],
                }
              : null,
        });
      }
    }
    // A Jest project's `testTimeout` is the root config's (jest-circus reads the global one).
    const missing = KEYS[target.runner].filter((key) => !option(target, key) && !readFromRoot(target, key));
    if (missing.length === 0) return;
    const edits = addOptions(
      target,
      missing.map((k) => [k, ms[k]] as const),
    );
    ctx.report({
      messageId: 'missing',
      data: {
        subject: subject(target),
        runner: runnerTitle(target),
        keys: missing.map((k) => `\`${k}\``).join(' or '),
        defaults: missing.map((k) => `${k} ${DEFAULT_MS[k] / 1000} s`).join(', '),
      },
      ...(ctx.options.requireExplicit ? { optionSeverity: 'error' as const } : {}),
      ...missingAt(target),
      fix: edits ? { title: `Add ${missing.join(', ')}`, applicability: 'safe', edits } : null,
    });
  },
});
