/**
 * Compose services that inherit through YAML merge keys (`<<: *common`). Merge keys merge one level only: a
 * service that gets an `environment:` of its own loses every inherited variable. The fix must keep what the
 * container saw and add the monitor's variables; a pytest command that arrives only through `<<` counts.
 * Judged by two YAML readers in merge mode: PyYAML (what docker compose's Python-era users and most tools
 * see) and the `yaml` package with `merge: true`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { check, fix } from '../src/index.js';
import { pythonAvailable, runPython, writeTree } from './support/env.js';

const ONLY = { 'require-memory-limit': 'error' as const };
const rulesOnly = async () => {
  const { allRules } = await import('../src/rules.js');
  return { ...Object.fromEntries(allRules.map((r) => [r.meta.id, 'off' as const])), ...ONLY };
};

/** Each service's environment as a reader in merge mode sees it: PyYAML, and the `yaml` package. */
function environments(text: string): { pyyaml: Record<string, unknown>; yaml: Record<string, unknown> } {
  const js = parse(text, { merge: true }) as { services: Record<string, { environment?: unknown }> };
  const fromJs = Object.fromEntries(Object.entries(js.services).map(([name, s]) => [name, s.environment ?? null]));
  const r = runPython(
    [
      '-c',
      'import sys, json, yaml\nd = yaml.safe_load(sys.stdin.read())\nprint(json.dumps({k: v.get("environment") for k, v in d["services"].items()}))',
    ],
    { input: text },
  );
  assert.equal(r.code, 0, r.stderr);
  return { pyyaml: JSON.parse(r.stdout) as Record<string, unknown>, yaml: fromJs };
}

const CASES: { name: string; compose: string; service: string; expected: unknown; untouched: string[] }[] = [
  {
    name: "a map environment inherited through <<, with the service's own pytest command",
    compose:
      'x-common: &common\n  image: python:3.12\n  environment:\n    DATABASE_URL: postgres://db/test  # the test database\n    DEBUG: "1"\n\nservices:\n  tests:\n    <<: *common\n    command: pytest -q\n  web:\n    <<: *common\n    command: gunicorn app\n',
    service: 'tests',
    expected: { DATABASE_URL: 'postgres://db/test', DEBUG: '1', PYTEST_MEMORY_LIMIT_MB: '409', PYTEST_COLLECTION_LIMIT_MB: '204' },
    untouched: ['web'],
  },
  {
    name: 'the pytest command arrives only through <<',
    compose:
      'x-test: &test\n  image: python:3.12\n  command: ["python", "-m", "pytest", "tests"]\n  environment:\n    DATABASE_URL: postgres://db/test\n\nservices:\n  tests:\n    <<: *test\n',
    service: 'tests',
    expected: { DATABASE_URL: 'postgres://db/test', PYTEST_MEMORY_LIMIT_MB: '409', PYTEST_COLLECTION_LIMIT_MB: '204' },
    untouched: [],
  },
  {
    name: 'a list environment from the second of two merged anchors',
    compose:
      'x-base: &base\n  image: python:3.12\nx-env: &env\n  environment:\n    - DATABASE_URL=postgres://db/test\n    - TZ=UTC\n\nservices:\n  tests:\n    <<: [*base, *env]\n    command: pytest\n',
    service: 'tests',
    expected: ['DATABASE_URL=postgres://db/test', 'TZ=UTC', 'PYTEST_MEMORY_LIMIT_MB=409', 'PYTEST_COLLECTION_LIMIT_MB=204'],
    untouched: [],
  },
];

for (const c of CASES) {
  test(`Compose merge keys: ${c.name} — the fixed service keeps every inherited variable`, { skip: pythonAvailable() }, async () => {
    const dir = writeTree({ 'docker-compose.yml': c.compose });
    const rules = await rulesOnly();
    const found = await check({ cwd: dir, paths: ['.'], rules, toolConfig: false });
    assert.ok(
      found.diagnostics.some((d) => d.rule === 'require-memory-limit' && d.message.includes(`\`${c.service}\``)),
      JSON.stringify(found.diagnostics),
    );
    const before = environments(c.compose);
    const result = await fix({ cwd: dir, paths: ['.'], rules, write: true, toolConfig: false });
    assert.deepEqual(result.problems, []);
    const text = readFileSync(join(dir, 'docker-compose.yml'), 'utf8');
    const after = environments(text);
    for (const reader of ['pyyaml', 'yaml'] as const) {
      assert.deepEqual(after[reader][c.service], c.expected, `${reader}:\n${text}`);
      for (const other of c.untouched) assert.deepEqual(after[reader][other], before[reader][other], `${reader}: ${other} unchanged`);
    }
    // The user's comment in the anchor stays where it was.
    if (c.compose.includes('# the test database')) assert.match(text, /DATABASE_URL: postgres:\/\/db\/test {2}# the test database\n/);
    const again = await check({ cwd: dir, paths: ['.'], rules, toolConfig: false });
    assert.deepEqual(
      again.diagnostics.map((d) => d.message),
      [],
    );
  });
}

test('Compose merge keys: an environment given as an alias (`environment: *env`) is reported without a fix', async () => {
  const dir = writeTree({
    'docker-compose.yml':
      'x-env: &env\n  DATABASE_URL: postgres://db/test\n\nservices:\n  tests:\n    image: python:3.12\n    command: pytest\n    deploy:\n      resources:\n        limits:\n          memory: 1G\n    environment: *env\n',
  });
  const result = await check({ cwd: dir, paths: ['.'], rules: await rulesOnly(), toolConfig: false });
  const finding = result.diagnostics.find((d) => d.rule === 'require-memory-limit');
  assert.ok(finding, 'reported');
  assert.equal(finding.fix, undefined);
});
