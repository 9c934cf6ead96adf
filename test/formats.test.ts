/**
 * Machine formats against the real consumers' rules: SARIF 2.1.0 validated with ajv against the official
 * schema (shipped in @microsoft/jest-sarif), GitHub workflow-command escaping, and the shipped GitHub
 * problem matcher's regexp applied to real `--format compact` output.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allRules } from '../src/rules.js';
import { ROOT, runCli, writeTree } from './support/env.js';
import { assertValidSarif } from './support/sarif.js';

const SEED = '[pytest]\ntestpaths = tests other\naddopts = -ra --quiet-collection\nasyncio_mode = auto\n';

describe('machine formats', () => {
  const dir = writeTree({ 'pytest.ini': SEED, 'weird, name: 100%.ini': '[pytest]\naddopts = --bogus\n' }, 'netra-formats-');

  test('sarif: valid SARIF 2.1.0 with every rule described, stable ids and regions in code points', () => {
    const r = runCli(['check', '--format', 'sarif', '.', 'weird, name: 100%.ini'], dir);
    assert.equal(r.code, 1, r.stderr);
    const log = JSON.parse(r.stdout);
    assertValidSarif(log);
    const run = log.runs[0];
    // Every rule, and `parse-error` for files that cannot be read or parsed (issue 14.15).
    assert.deepEqual(
      run.tool.driver.rules.map((x: { id: string }) => x.id),
      [...allRules.map((x) => x.meta.id), 'parse-error'].sort(),
    );
    assert.equal(run.columnKind, 'unicodeCodePoints');
    const timeout = run.results.find((x: { ruleId: string }) => x.ruleId === 'require-timeout');
    assert.equal(run.tool.driver.rules[timeout.ruleIndex].id, 'require-timeout');
    assert.deepEqual(timeout.locations[0].physicalLocation, {
      artifactLocation: { uri: 'pytest.ini', uriBaseId: '%SRCROOT%' },
      region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 9 },
    });
    // A missing timeout is a policy finding: a warning under the default (recommended) preset.
    assert.equal(timeout.level, 'warning');
    assert.equal(run.tool.driver.rules[timeout.ruleIndex].defaultConfiguration.level, 'warning');
  });

  test('github: one annotation per finding, properties and data escaped as the runner expects', () => {
    const r = runCli(['check', '--format', 'github', 'weird, name: 100%.ini'], dir);
    assert.equal(r.code, 1, r.stderr);
    const bogus = r.stdout.split('\n').find((l) => l.includes('--bogus'));
    assert.equal(
      bogus,
      '::error file=weird%2C name%3A 100%25.ini,line=2,col=11,endLine=2,endColumn=18,title=netra-migrate (known-options)::`--bogus` in addopts is not an option of pytest or of the plugins netra-migrate knows; pytest stops with "unrecognized arguments" (exit 4)',
    );
    for (const line of r.stdout.trimEnd().split('\n'))
      assert.match(line, /^::(error|warning|notice) file=[^:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^:]+::[^\n]+$/);
  });

  test('the shipped GitHub problem matcher reads every compact line', () => {
    const matcher = JSON.parse(readFileSync(join(ROOT, 'matchers', 'github-problem-matcher.json'), 'utf8'));
    const pattern = matcher.problemMatcher[0].pattern[0];
    const re = new RegExp(pattern.regexp);
    const r = runCli(['check', '--format', 'compact', '.'], dir);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(lines.length >= 4);
    for (const line of lines) {
      const m = re.exec(line);
      assert.ok(m, line);
      assert.equal(m[pattern.file], join(dir, 'pytest.ini'));
      assert.match(m[pattern.line]!, /^\d+$/);
      assert.match(m[pattern.severity]!, /^(Error|Warning)$/);
      assert.ok(
        allRules.some((x) => x.meta.id === m[pattern.code]),
        m[pattern.code],
      );
    }
  });
});
