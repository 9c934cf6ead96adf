/**
 * Issue 24 item 6: a fix never creates an error that no fix can clear. Over every fixture project the rule
 * tests use (fixtures/rules/<rule>/<case>/input) and fixtures/netra-core, with every rule on at its default
 * settings: the errors after `fix --write --unsafe` (on a copy) are a subset of the errors before, compared
 * by rule, file and message id (positions move when a fix edits the file).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, fix, type LocatedDiagnostic } from '../src/index.js';
import { monitorText, NODE_MONITOR, VITEST_ADAPTER } from '../src/monitor/stamp.js';
import { copyToTemp, ROOT } from './support/env.js';
import { listFiles, ruleCases } from './support/cases.js';

/** The monitor modules, recorded in fixtures as one stand-in line (as test/rules.test.ts reads them). */
const STAND_INS: [string, () => string][] = [
  ['# the memory monitor module netra-migrate writes (src/monitor/pytest_memory_plugin.py)', monitorText],
  ['// the Node memory monitor netra-migrate writes (src/monitor/netra-memory-monitor.cjs)', NODE_MONITOR.text],
  ['// the Vitest adapter of the memory monitor netra-migrate writes (src/monitor/netra-memory-monitor.mjs)', VITEST_ADAPTER.text],
];

function workCopy(input: string): string {
  const work = copyToTemp(input);
  for (const f of listFiles(work)) {
    const text = readFileSync(join(work, f), 'utf8');
    const standIn = STAND_INS.find(([line]) => text.trimEnd() === line);
    if (standIn) writeFileSync(join(work, f), standIn[1]().replace(/\n/g, text.includes('\r\n') ? '\r\n' : '\n'));
  }
  return work;
}

const key = (work: string, d: LocatedDiagnostic) =>
  `${d.rule} ${d.file
    .slice(work.length + 1)
    .split('\\')
    .join('/')} ${String(d.messageId)}`;

/** The errors of a project, each `rule file messageId` once. */
async function errors(work: string): Promise<Set<string>> {
  const r = await check({ cwd: work, paths: ['.'] });
  return new Set(r.diagnostics.filter((d) => d.severity === 'error').map((d) => key(work, d)));
}

/** The errors `fix --write --unsafe` brings that were not there before (empty when the invariant holds). */
export async function newErrors(input: string): Promise<string[]> {
  const work = workCopy(input);
  const before = await errors(work);
  const fixed = await fix({ cwd: work, paths: ['.'], unsafe: true, write: true });
  // A project with a file that does not parse is written nowhere: nothing to compare.
  if (fixed.problems.length > 0) return [];
  const after = await errors(work);
  return [...after].filter((e) => !before.has(e)).sort();
}

const projects = [
  ...ruleCases().map((c) => ({ name: `${c.rule}/${c.name}`, input: join(c.dir, 'input') })),
  { name: 'netra-core', input: join(ROOT, 'fixtures', 'netra-core') },
];

describe('item 6: the errors after fix --write --unsafe are a subset of the errors before', () => {
  for (const p of projects)
    test(p.name, async () => {
      assert.deepEqual(await newErrors(p.input), []);
    });
});
