/**
 * Data-driven rule tests: fixtures/rules/<rule-id>/<valid|invalid>-<case>/ holds `input/`, for invalid
 * cases `expected.json` (the findings by messageId and data, with positions and fix safety; the wording itself
 * is checked in one place, test/snapshots/messages.json in test/meta.test.ts), and for fixable ones `output/`
 * (every file the fix changes or creates, as it must read after `fix --write --unsafe`). The memory monitor
 * module, in an input or an output, is recorded as one stand-in line (STAND_INS, with the file's line
 * ending), so a new monitor version does not rewrite every case. Run with UPDATE_FIXTURES=1 to rewrite
 * expectations, then review the diff.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatMessage } from '../src/core/rule.js';
import { check, fix, type FileProblem, type LocatedDiagnostic } from '../src/index.js';
import { ruleModules } from '../src/generated/rule-modules.js';
import { unusedSuppression } from '../src/core/suppressions.js';
import { monitorText } from '../src/monitor/stamp.js';
import { copyToTemp } from './support/env.js';
import { listFiles, recorded, ruleCases } from './support/cases.js';

const update = process.env.UPDATE_FIXTURES === '1';

/** Every message template by rule and message id (a rule's runner variants may word one id differently). */
const templates = new Map<string, string[]>();
for (const rule of [...ruleModules.map((m) => m.rule), unusedSuppression])
  for (const [id, template] of Object.entries(rule.meta.messages))
    templates.set(`${rule.meta.id}/${id}`, [...(templates.get(`${rule.meta.id}/${id}`) ?? []), template]);

/**
 * A finding as a case records it: where, which rule and message id with its data, the fix's safety. The
 * message text is not recorded: it must be its template filled with the data, every placeholder given.
 */
function finding(work: string, d: LocatedDiagnostic) {
  const candidates = templates.get(`${d.rule}/${d.messageId}`) ?? [];
  assert.ok(candidates.length > 0, `${d.rule}: message id ${String(d.messageId)} has no template`);
  assert.ok(
    candidates.some((t) => d.message === formatMessage(t, d.data)),
    `${d.rule}/${d.messageId}: the message is not its template with the data: ${d.message}`,
  );
  assert.doesNotMatch(d.message, /\{\{\s*\w+\s*\}\}/, `${d.rule}/${d.messageId}: a placeholder without data`);
  const { message: _message, fix, ...where } = recorded(work, d);
  return { ...where, messageId: d.messageId, ...(d.data ? { data: d.data } : {}), fix };
}
import { NODE_MONITOR, VITEST_ADAPTER } from '../src/monitor/stamp.js';

/** The monitor modules, each recorded in cases as one stand-in line (in the file's own comment syntax). */
const STAND_INS: [string, () => string][] = [
  ['# the memory monitor module netra-migrate writes (src/monitor/pytest_memory_plugin.py)', monitorText],
  ['// the Node memory monitor netra-migrate writes (src/monitor/netra-memory-monitor.cjs)', NODE_MONITOR.text],
  ['// the Vitest adapter of the memory monitor netra-migrate writes (src/monitor/netra-memory-monitor.mjs)', VITEST_ADAPTER.text],
];
const eolOf = (text: string) => (text.includes('\r\n') ? '\r\n' : '\n');
const recordedText = (text: string) => {
  const standIn = STAND_INS.find(([, source]) => text.replace(/\r\n/g, '\n') === source());
  return standIn ? standIn[0] + eolOf(text) : text;
};
const expectedText = (text: string) => {
  const standIn = STAND_INS.find(([line]) => text.trimEnd() === line);
  return standIn ? standIn[1]().replace(/\n/g, eolOf(text)) : text;
};

/** A case's expected file problems (`problems.json`: file, line, message), none by default. */
function expectedProblems(dir: string): unknown[] {
  const file = join(dir, 'problems.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown[]) : [];
}

const problemOf = (work: string, p: FileProblem) => ({
  file: p.file
    .slice(work.length + 1)
    .split('\\')
    .join('/'),
  line: p.line,
  message: p.message,
});

/** A scratch copy of a case's input, stand-ins replaced by the monitor module itself. */
function workCopy(dir: string): string {
  const work = copyToTemp(join(dir, 'input'));
  for (const f of listFiles(work)) {
    const text = readFileSync(join(work, f), 'utf8');
    if (expectedText(text) !== text) writeFileSync(join(work, f), expectedText(text));
  }
  return work;
}

for (const c of ruleCases()) {
  describe(`${c.rule} / ${c.name}`, () => {
    test(c.valid ? 'reports nothing' : 'reports the expected findings', async () => {
      const work = workCopy(c.dir);
      const result = await check({ cwd: work, paths: ['.'], rules: c.settings });
      assert.deepEqual(
        result.problems.map((p) => problemOf(work, p)),
        expectedProblems(c.dir),
      );
      const findings = result.diagnostics.filter((d) => d.rule === c.rule).map((d) => finding(work, d));
      if (c.valid) {
        assert.deepEqual(findings, []);
        return;
      }
      assert.ok(findings.length > 0, 'an invalid case must produce a finding');
      const expectedFile = join(c.dir, 'expected.json');
      if (update) writeFileSync(expectedFile, JSON.stringify(findings, null, 2) + '\n');
      assert.deepEqual(findings, JSON.parse(readFileSync(expectedFile, 'utf8')));
    });

    if (c.valid) return;
    test('fix --unsafe gives the expected files, converges and leaves the rest alone', async () => {
      const work = workCopy(c.dir);
      const first = await fix({ cwd: work, paths: ['.'], rules: c.settings, unsafe: true, write: true });
      const problems = expectedProblems(c.dir);
      assert.deepEqual(
        first.problems.map((p) => problemOf(work, p)),
        problems,
      );
      if (problems.length > 0) {
        // A file that does not parse blocks every write.
        assert.equal(first.written, false);
        assert.equal(existsSync(join(c.dir, 'output')), false, 'a case with file problems has no output');
        for (const f of listFiles(join(c.dir, 'input')))
          assert.equal(readFileSync(join(work, f), 'utf8'), expectedText(readFileSync(join(c.dir, 'input', f), 'utf8')), f);
        return;
      }
      const outputDir = join(c.dir, 'output');
      const changed = first.changes
        .map((ch) =>
          ch.file
            .slice(work.length + 1)
            .split('\\')
            .join('/'),
        )
        .sort();
      if (update) {
        rmSync(outputDir, { recursive: true, force: true });
        for (const f of changed) {
          mkdirSync(dirname(join(outputDir, f)), { recursive: true });
          writeFileSync(join(outputDir, f), recordedText(readFileSync(join(work, f), 'utf8')));
        }
      }
      assert.deepEqual(changed, listFiles(outputDir), 'files the fix changed');
      for (const f of new Set([...listFiles(join(c.dir, 'input')), ...changed])) {
        const expected = existsSync(join(outputDir, f)) ? join(outputDir, f) : join(c.dir, 'input', f);
        // Input files the fix leaves alone read as they were copied (stand-ins expanded).
        assert.equal(readFileSync(join(work, f), 'utf8'), expectedText(readFileSync(expected, 'utf8')), f);
      }
      const second = await fix({ cwd: work, paths: ['.'], rules: c.settings, unsafe: true, write: true });
      assert.deepEqual(second.changes, [], 'a second fix changes nothing');
      // Reaching the pass limit means the fixes never settled (a fix that keeps re-applying itself).
      assert.ok(first.passes < 10, `${first.passes} passes`);
    });
  });
}
