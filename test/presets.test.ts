/**
 * Presets (issue 25): `recommended` (the default) makes errors only of runs that are broken or not what their
 * config says; `strict` makes the migration's four policies errors. The preset comes from the library option
 * (the CLI's `--preset`), else the tool config's `preset` key; `rules` apply on top; a finding's own level
 * (a milder note, a broken-run error) is kept under every preset.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../src/index.js';
import { PRESETS, presetSeverity } from '../src/core/rule.js';
import { toolConfigSchema } from '../src/core/tool-config.js';
import { printConfig } from '../src/print-config.js';
import { explainRule, listRules, readmeRuleTable } from '../src/rule-docs.js';
import { allRules, ruleImplementations } from '../src/rules.js';
import { writeTree } from './support/env.js';

/** The seed's four problems in one config, and a pytest-timeout `timeout = 0` in another. */
const SEED = {
  'pytest.ini': '[pytest]\ntestpaths = tests integration\nasyncio_default_fixture_loop_scope = session\n',
  'tests/test_a.py': 'def test_a():\n    pass\n',
  'integration/test_b.py': 'def test_b():\n    pass\n',
  'pyproject.toml': '[project]\nname = "x"\n\n[project.optional-dependencies]\ntest = ["pytest", "pytest-asyncio>=1"]\n',
};
const FOUR = ['function-loop-scope', 'require-memory-limit', 'require-timeout', 'single-test-root'];

/** `rule severity` of every finding of the four policy rules, sorted. */
async function levels(dir: string, options: Partial<Parameters<typeof check>[0]> = {}) {
  const result = await check({ cwd: dir, paths: ['.'], ...options });
  assert.deepEqual(result.problems, []);
  return {
    preset: result.preset,
    levels: result.diagnostics
      .filter((d) => FOUR.includes(d.rule))
      .map((d) => `${d.rule} ${d.severity}`)
      .sort(),
  };
}

describe('presets', () => {
  test('recommended is the default: the four policies are warnings', async () => {
    const dir = writeTree(SEED);
    assert.deepEqual(await levels(dir), {
      preset: 'recommended',
      levels: FOUR.map((r) => `${r} warning`),
    });
  });

  test('strict in the tool config (each of its three places) makes the four errors', async () => {
    for (const [file, text] of [
      ['.netra-migrate.json', '{ "preset": "strict" }\n'],
      ['package.json', '{ "name": "x", "netra-migrate": { "preset": "strict" } }\n'],
      ['pyproject.toml', `${SEED['pyproject.toml']}\n[tool.netra-migrate]\npreset = "strict"\n`],
    ] as const) {
      const dir = writeTree({ ...SEED, [file]: text });
      assert.deepEqual(await levels(dir), { preset: 'strict', levels: FOUR.map((r) => `${r} error`) }, file);
    }
  });

  test('the option (--preset) wins over the tool config; rules apply on top of either', async () => {
    const dir = writeTree({ ...SEED, '.netra-migrate.json': '{ "preset": "strict", "rules": { "require-timeout": "warn" } }\n' });
    assert.deepEqual((await levels(dir)).levels, [
      'function-loop-scope error',
      'require-memory-limit error',
      'require-timeout warning',
      'single-test-root error',
    ]);
    assert.deepEqual(await levels(dir, { preset: 'recommended' }), {
      preset: 'recommended',
      levels: FOUR.map((r) => `${r} warning`),
    });
    assert.deepEqual((await levels(dir, { preset: 'recommended', rules: { 'single-test-root': 'error' } })).levels, [
      'function-loop-scope warning',
      'require-memory-limit warning',
      'require-timeout warning',
      'single-test-root error',
    ]);
  });

  test('the sample project states strict in its own config, found from the checked path', async () => {
    const dir = writeTree(Object.fromEntries(Object.entries(SEED).map(([f, t]) => [`sample/${f}`, t])));
    assert.deepEqual((await levels(dir, { paths: ['sample'] })).preset, 'recommended');
    const strict = writeTree({
      ...Object.fromEntries(Object.entries(SEED).map(([f, t]) => [`sample/${f}`, t])),
      'sample/.netra-migrate.json': '{ "preset": "strict" }\n',
    });
    assert.deepEqual(await levels(strict, { paths: ['sample'] }), { preset: 'strict', levels: FOUR.map((r) => `${r} error`) });
  });

  test("a finding's own level stays: a timeout of 0 is an error under recommended, a coverage run an info note under strict", async () => {
    const dir = writeTree({
      'pytest.ini': '[pytest]\ntestpaths = tests\ntimeout = 0\n',
      'tests/test_a.py': 'def test_a():\n    pass\n',
      'docs/test_d.py': 'def test_d():\n    pass\n',
      'tox.ini': '[testenv]\ncommands = pytest --cov=x tests docs\n',
      'pyproject.toml': '[project]\nname = "x"\n\n[project.optional-dependencies]\ntest = ["pytest", "pytest-timeout", "pytest-cov"]\n',
    });
    const recommended = await check({ cwd: dir, paths: ['.'] });
    const timeout = recommended.diagnostics.find((d) => d.rule === 'require-timeout');
    assert.deepEqual([timeout?.messageId, timeout?.severity], ['disabled', 'error']);
    const strict = await check({ cwd: dir, paths: ['.'], preset: 'strict' });
    const roots = strict.diagnostics.find((d) => d.rule === 'single-test-root');
    assert.deepEqual([roots?.messageId, roots?.severity, roots?.file.endsWith('tox.ini')], ['severalRootsForCoverage', 'info', true]);
  });

  test('strict makes the missing monitor an error, not each CI step or Compose service without the limit variables', async () => {
    const dir = writeTree({
      'pytest.ini': '[pytest]\ntestpaths = tests\n',
      'tests/test_a.py': 'def test_a():\n    pass\n',
      '.github/workflows/ci.yml': 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n',
    });
    const result = await check({ cwd: dir, paths: ['.'], preset: 'strict', rules: { 'require-timeout': 'off' } });
    const memory = result.diagnostics.filter((d) => d.rule === 'require-memory-limit').map((d) => `${d.messageId} ${d.severity}`);
    assert.deepEqual(memory.sort(), ['missing error', 'noLimits warning']);
  });

  test('an unknown preset in the tool config is one error naming file and line; in the library options it throws', async () => {
    const dir = writeTree({ ...SEED, '.netra-migrate.json': '{\n  "rules": {},\n  "preset": "strictest"\n}\n' });
    const result = await check({ cwd: dir, paths: ['.'] });
    assert.deepEqual(
      result.problems.map((p) => [p.file.slice(dir.length + 1), p.line, p.message]),
      [['.netra-migrate.json', 3, 'unknown preset "strictest" (presets: recommended, strict)']],
    );
    assert.deepEqual(result.diagnostics, []);
    await assert.rejects(check({ cwd: dir, paths: ['.'], toolConfig: false, preset: 'loose' as never }), /unknown preset "loose"/);
  });

  test('severity per preset is data in the rules: strict raises exactly the four, every other rule is the same', () => {
    const raised = ruleImplementations
      .filter((r) => presetSeverity(r.meta.severity, 'recommended') !== presetSeverity(r.meta.severity, 'strict'))
      .map((r) => `${r.meta.id} ${r.meta.runners[0]!}`)
      .sort();
    assert.deepEqual(raised, [
      'function-loop-scope pytest',
      'require-memory-limit jest',
      'require-memory-limit pytest',
      'require-timeout pytest',
      'single-test-root jest',
      'single-test-root pytest',
    ]);
    for (const r of ruleImplementations)
      for (const p of PRESETS)
        if (presetSeverity(r.meta.severity, p) === 'error' && p === 'recommended')
          assert.ok(
            ['known-options', 'no-event-loop-fixture', 'registered-markers', 'consistent-memory-limits'].includes(r.meta.id),
            `${r.meta.id} is an error under recommended: only broken or silently misread runs are`,
          );
  });

  test('rules, explain, the README table, the schema and print-config show each preset', async () => {
    const listed = listRules(allRules).split('\n');
    assert.match(listed[0]!, /^rule\s+runners\s+recommended\s+strict\s+fix\s+description$/);
    assert.match(
      listed.find((l) => l.startsWith('require-timeout '))!,
      /\swarning\s+pytest: error, jest\/vitest: warning\s/,
    );
    assert.match(
      listed.find((l) => l.startsWith('known-options '))!,
      /\serror\s+error\s/,
    );
    assert.match(explainRule(allRules, 'single-test-root')!, /Severity: recommended: warning; strict: error\./);
    assert.match(explainRule(allRules, 'registered-markers')!, /Severity: every preset: error\./);
    assert.match(readmeRuleTable(allRules), /\| `recommended` \| `strict` \|/);
    const schema = toolConfigSchema(allRules) as {
      properties: Record<string, { enum?: unknown; properties?: Record<string, { description: string }> }>;
    };
    assert.deepEqual(schema.properties.preset!.enum, ['recommended', 'strict']);
    assert.match(schema.properties.rules!.properties!['single-test-root']!.description, /\(recommended: warning; strict: error\)$/);
    const dir = writeTree({ ...SEED, '.netra-migrate.json': '{ "preset": "strict" }\n' });
    const shown = (await printConfig({ cwd: dir, path: 'pytest.ini' })).config as { preset: string; rules: Record<string, unknown> };
    assert.equal(shown.preset, 'strict');
    assert.deepEqual((shown.rules['single-test-root'] as unknown[])[0], 'error');
    const loose = (await printConfig({ cwd: dir, path: 'pytest.ini', preset: 'recommended' })).config as typeof shown;
    assert.deepEqual([loose.preset, (loose.rules['single-test-root'] as unknown[])[0]], ['recommended', 'warning']);
  });
});
