/**
 * netra-migrate's own configuration: where it is found, what it changes, the generated schema, and one
 * clear error (file, line, key; exit 2) for a mistake.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { toolConfigSchema } from '../src/core/tool-config.js';
import { allRules } from '../src/rules.js';
import { ROOT, runCli, writeTree } from './support/env.js';

const CONFIG = '[pytest]\ntestpaths = tests\n';
const rulesOf = (stdout: string) =>
  [...new Set((JSON.parse(stdout) as { rule: string; file: string }[]).map((f) => `${f.file} ${f.rule}`))].sort();

describe('tool config', () => {
  test('the committed schema is generated from the rules, and accepts what the loader accepts', () => {
    const schema = toolConfigSchema(allRules);
    const file = join(ROOT, 'schemas', 'netra-migrate-config.schema.json');
    assert.equal(readFileSync(file, 'utf8'), JSON.stringify(schema, null, 2) + '\n', 'stale: run `npm run schemas`');
    const Ajv = (Ajv2020 as unknown as { default?: typeof Ajv2020 }).default ?? Ajv2020;
    const validate = new (Ajv as unknown as new (o: object) => import('ajv').default)({ strict: false }).compile(schema);
    assert.equal(
      validate({ rules: { 'require-timeout': ['error', { seconds: 30 }], 'single-test-root': 'off' }, ignore: ['legacy/**'] }),
      true,
    );
    assert.equal(validate({ rules: { 'require-timeout': ['error', { secs: 30 }] } }), false);
    assert.equal(validate({ rules: { 'no-such-rule': 'off' } }), false);
    assert.equal(validate({ rule: {} }), false);
  });

  test('.netra-migrate.json: rules off, options, and ignore globs', () => {
    const dir = writeTree({
      '.netra-migrate.json': JSON.stringify({
        rules: { 'require-fail-fast': 'off', 'require-timeout': ['error', { seconds: 30 }] },
        ignore: ['legacy/**'],
      }),
      'pytest.ini': CONFIG,
      'legacy/pytest.ini': '[pytest]\naddopts = --bogus\n',
    });
    const check = runCli(['check', '-f', 'json'], dir);
    const found = rulesOf(check.stdout);
    assert.ok(found.includes('pytest.ini require-timeout'), found.join('\n'));
    assert.ok(!found.some((f) => f.includes('require-fail-fast')), 'turned off');
    assert.ok(!found.some((f) => f.startsWith('legacy/')), 'ignored');
    // The timeout fix is unsafe where no dependency list can take pytest-timeout: shown with --unsafe.
    assert.match(runCli(['fix', '--unsafe'], dir).stdout, /^\+timeout = 30$/m);
    // --rule wins over the file.
    assert.match(runCli(['fix', '--unsafe', '--rule', 'require-timeout:["error", {"seconds": 45}]'], dir).stdout, /^\+timeout = 45$/m);
  });

  test('[tool.netra-migrate] in pyproject.toml and a "netra-migrate" key in package.json; the nearest wins', () => {
    const dir = writeTree({
      'pyproject.toml':
        '[project]\nname = "x"\n\n[tool.netra-migrate]\nignore = ["docs"]\n\n[tool.netra-migrate.rules]\nrequire-memory-limit = "off"\n',
      'pytest.ini': CONFIG,
      'docs/pytest.ini': '[pytest]\naddopts = --bogus\n',
      'web/package.json': JSON.stringify({ name: 'web', 'netra-migrate': { rules: { 'require-timeout': 'off' } } }),
      'web/pytest.ini': CONFIG,
    });
    const top = rulesOf(runCli(['check', '-f', 'json'], dir).stdout);
    assert.ok(!top.some((f) => f.includes('require-memory-limit')), top.join('\n'));
    assert.ok(!top.some((f) => f.startsWith('docs/')), 'docs ignored');
    assert.ok(top.includes('pytest.ini require-timeout'));
    // From web/, package.json is nearer than pyproject.toml: only its settings apply.
    const web = rulesOf(runCli(['check', '-f', 'json'], join(dir, 'web')).stdout);
    assert.ok(web.includes('pytest.ini require-memory-limit'), web.join('\n'));
    assert.ok(!web.some((f) => f.includes('require-timeout')));
  });

  for (const [name, files, expected] of [
    [
      'an unknown rule option',
      { '.netra-migrate.json': '{\n  "rules": {\n    "require-timeout": ["error", { "secs": 30 }]\n  }\n}\n' },
      /^\.netra-migrate\.json:3:1: error: rules: require-timeout: unknown option "secs" \(options: seconds, requirePlugin, testTimeoutMs, hookTimeoutMs[^)]*\)$/m,
    ],
    [
      'an unknown top-level key',
      { '.netra-migrate.json': '{\n  "rulez": {}\n}\n' },
      /^\.netra-migrate\.json:2:1: error: unknown key "rulez" \(known: preset, rules, ignore\)$/m,
    ],
    ['invalid JSON', { '.netra-migrate.json': '{\n  "rules": {,}\n}\n' }, /^\.netra-migrate\.json:2:1: error: invalid JSON: /m],
    [
      'a bad level in pyproject.toml',
      { 'pyproject.toml': '[tool.netra-migrate.rules]\nrequire-timeout = "loud"\n' },
      /^pyproject\.toml:2:1: error: rules: require-timeout: level must be one of off, warn, error, not "loud"$/m,
    ],
  ] as const) {
    test(`${name} is one error with file and line, exit 2, nothing checked`, () => {
      const dir = writeTree({ ...files, 'pytest.ini': CONFIG });
      const r = runCli(['check'], dir);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, expected);
      assert.equal(r.stdout.includes('require-timeout  '), false);
    });
  }
});
