// `npm run new-rule -- <rule-id> <pytest|js>`: the files a new rule starts from. The rule module (discovered
// by the build: no registry to edit), its first fixture cases and its RuleTester cases, all failing until the
// check is written. Then: write the check and the cases, `npm run schemas` (docs, README table), `npm test`.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TARGETS = {
  pytest: {
    target: 'PytestTarget',
    imports: "import { headerRange, isActive } from '../rule-kit.js';\nimport type { PytestTarget } from '../target.js';",
    runners: "['pytest']",
    body: "    if (!isActive(target)) return;\n    // Report on target.config (entries, table) with a messageId and an offset range.\n    ctx.report({ messageId: 'found', ...headerRange(target.config) });",
    file: 'pytest.ini',
    bad: '[pytest]\\n',
    good: '[pytest]\\naddopts = -ra\\n',
  },
  js: {
    target: 'JsConfigTarget',
    imports: "import type { JsConfigTarget } from '../config.js';\nimport { missingAt } from '../rule-kit.js';",
    runners: "['jest', 'vitest']",
    body: "    // Report on target.options (the statically read config object) with a messageId and an offset range.\n    ctx.report({ messageId: 'found', ...missingAt(target) });",
    file: 'jest.config.js',
    bad: 'module.exports = {};\\n',
    good: 'module.exports = { bail: 1 };\\n',
  },
} as const;

/** The files a new rule starts from, by path relative to the repository (test/meta.test.ts checks they pass Prettier). */
export function scaffoldFiles(id: string, runner: keyof typeof TARGETS): Record<string, string> {
  const t = TARGETS[runner];
  const camel = id.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return {
    [`src/runners/${runner}/rules/${id}.ts`]: `import { defineRule } from '../../../core/rule.js';
${t.imports}

type Options = Record<string, never>;

export default defineRule<${t.target}, 'found', Options>({
  meta: {
    id: '${id}',
    runners: ${t.runners},
    severity: 'warning',
    fix: 'none',
    description: 'TODO: one line, what a passing config looks like.',
    messages: {
      found: 'TODO: what is wrong, in the words of the runner the user knows',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: 'TODO: What it does.',
      why: 'TODO: Why is this bad? What breaks or is endangered in a run.',
      example: { file: '${t.file}', bad: '${t.bad}', good: '${t.good}' },
      fixSafety: 'TODO: what the fix changes, and why it is safe or unsafe (or why there is none).',
    },
  },
  check(ctx, target) {
${t.body}
  },
});
`,
    [`fixtures/rules/${id}/valid-basic/input/${t.file}`]: t.good.replace(/\\n/g, '\n'),
    [`fixtures/rules/${id}/invalid-basic/input/${t.file}`]: t.bad.replace(/\\n/g, '\n'),
    // The recorded findings: fill in after checking them by hand (the rule tests print what they got).
    [`fixtures/rules/${id}/invalid-basic/expected.json`]: '[]\n',
    [`test/rule-${id}.test.ts`]: `import ${camel} from '../src/runners/${runner}/rules/${id}.js';
import { RuleTester } from './support/rule-tester.js';

new RuleTester().run(${camel}, {
  valid: [{ name: 'TODO: a config the rule accepts', files: { '${t.file}': '${t.good}' } }],
  invalid: [
    {
      name: 'TODO: a config the rule reports',
      files: { '${t.file}': '${t.bad}' },
      errors: [{ messageId: 'found', line: 1, column: 1 }],
    },
  ],
});
`,
  };
}

function main(): void {
  const [id, runner] = process.argv.slice(2);
  if (!id || !/^[a-z]+(-[a-z]+)*$/.test(id) || (runner !== 'pytest' && runner !== 'js')) {
    process.stderr.write('usage: npm run new-rule -- <rule-id in kebab-case> <pytest|js>\n');
    process.exit(2);
  }
  const root = join(import.meta.dirname, '..');
  const files = scaffoldFiles(id, runner);
  for (const path of Object.keys(files)) {
    const full = join(root, path);
    if (existsSync(full)) {
      process.stderr.write(`${path} exists: nothing written\n`);
      process.exit(2);
    }
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    process.stdout.write(`wrote ${path}\n`);
  }
  process.stdout.write('next: write the check and the cases, then `npm run schemas` (docs, README table) and `npm test`\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
