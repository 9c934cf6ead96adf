/**
 * An in-process rule tester in the style of ESLint's RuleTester and typescript-eslint's: `valid` and
 * `invalid` cases with the files of a small project, the rule's options, the expected findings by
 * `messageId` (typed from the rule, so a misspelled id fails to compile), their data and positions, and the
 * project after `fix`. Each case runs the library API (`check`, then `fix` without writing) on a temporary
 * copy with only the rule under test enabled; an output must converge: fixing it again changes nothing.
 *
 * Whole-file cases with several files and recorded findings stay as folders under fixtures/rules/ (see
 * test/rules.test.ts); use this tester for the many small cases a rule needs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Rule } from '../../src/core/rule.js';
import type { RuleSettings } from '../../src/core/settings.js';
import { check, fix, type Edit, type LocatedDiagnostic } from '../../src/index.js';
import { onlyRule } from './cases.js';
import { tempDir } from './env.js';

/** The files of one case, by path relative to the project root. */
export type Files = Record<string, string>;

export interface ValidCase<Options> {
  name: string;
  files: Files;
  /** The rule's options (the rule then runs at `error`, as `["error", options]` in a tool config). */
  options?: Partial<Options>;
  /** Paths to check (default: the whole project). */
  paths?: string[];
}

export interface ExpectedFinding<MessageId extends string> {
  messageId: MessageId;
  /** The message's data, compared key by key (only the keys given). */
  data?: Record<string, string | number>;
  /** Relative path of the file the finding is in (default: the case's only file, or any). */
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  severity?: 'error' | 'warning' | 'info';
  /** The fix's applicability, or null for a finding with no fix. */
  fix?: 'safe' | 'unsafe' | null;
  /** The finding's suggestions (never applied by `fix`): each title and the files after applying it alone. */
  suggestions?: { title: string; output: Files }[];
}

export interface InvalidCase<MessageId extends string, Options> extends ValidCase<Options> {
  errors: ExpectedFinding<MessageId>[];
  /**
   * The files after `fix` (only those that change; files not named must stay as they were). `null` asserts
   * that no fix applies. Omitted: the output is not checked.
   */
  output?: Files | null;
  /** Apply unsafe fixes too (`fix --unsafe`). */
  unsafe?: boolean;
}

function settingsFor(id: string, options: unknown): RuleSettings {
  return onlyRule(id, options === undefined ? {} : { [id]: ['error', options as Record<string, unknown>] });
}

function writeProject(files: Files): string {
  const dir = tempDir('netra-rule-tester-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function findings(id: string, dir: string, c: ValidCase<unknown>): Promise<LocatedDiagnostic[]> {
  const result = await check({ cwd: dir, paths: c.paths ?? ['.'], rules: settingsFor(id, c.options), toolConfig: false });
  assert.deepEqual(result.problems, [], `case "${c.name}": the project must read without problems`);
  return result.diagnostics.filter((d) => d.rule === id);
}

function describeFinding(dir: string, d: LocatedDiagnostic): string {
  return `${relative(dir, d.file)}:${d.line}:${d.column} ${d.messageId} ${JSON.stringify(d.data ?? {})} — ${d.message}`;
}

function assertFinding(dir: string, actual: LocatedDiagnostic, expected: ExpectedFinding<string>, where: string): void {
  const shown = describeFinding(dir, actual);
  assert.equal(actual.messageId, expected.messageId, `${where}: messageId (${shown})`);
  for (const [key, value] of Object.entries(expected.data ?? {})) {
    assert.equal(actual.data?.[key], value, `${where}: data.${key} (${shown})`);
  }
  if (expected.file !== undefined)
    assert.equal(relative(dir, actual.file).split('\\').join('/'), expected.file, `${where}: file (${shown})`);
  for (const key of ['line', 'column', 'endLine', 'endColumn', 'severity'] as const) {
    if (expected[key] !== undefined) assert.equal(actual[key], expected[key], `${where}: ${key} (${shown})`);
  }
  if (expected.fix !== undefined) assert.equal(actual.fix?.applicability ?? null, expected.fix, `${where}: fix applicability (${shown})`);
  if (expected.suggestions !== undefined) {
    const applied = (actual.suggestions ?? []).map((s) => ({ title: s.title, output: applyEdits(dir, s.edits) }));
    assert.deepEqual(applied, expected.suggestions, `${where}: suggestions (${shown})`);
  }
}

/** The files one suggestion changes, its edits spliced into the text on disk (last first, so offsets hold). */
function applyEdits(dir: string, edits: readonly Edit[]): Files {
  const out: Files = {};
  for (const file of new Set(edits.map((e) => e.file))) {
    let text = readFileSync(file, 'utf8');
    for (const e of edits.filter((x) => x.file === file).sort((a, b) => b.start - a.start))
      text = text.slice(0, e.start) + e.text + text.slice(e.end);
    out[relative(dir, file).split('\\').join('/')] = text;
  }
  return out;
}

async function fixedFiles(id: string, dir: string, c: InvalidCase<string, unknown>): Promise<Files> {
  const result = await fix({
    cwd: dir,
    paths: c.paths ?? ['.'],
    rules: settingsFor(id, c.options),
    toolConfig: false,
    unsafe: c.unsafe === true,
  });
  assert.deepEqual(result.problems, [], `case "${c.name}": fixing must produce files that read without problems`);
  return Object.fromEntries(result.changes.map((change) => [relative(dir, change.file).split('\\').join('/'), change.after]));
}

export class RuleTester {
  /**
   * Registers one `describe` per rule with one test per case. `rule` gives the typed message ids; the
   * cases run through the whole engine (discovery, settings, suppressions, fixer) as users run it.
   */
  run<MessageId extends string, Options>(
    rule: Rule<any, MessageId, Options>,
    cases: { valid: ValidCase<Options>[]; invalid: InvalidCase<NoInfer<MessageId>, Options>[] },
  ): void {
    const id = rule.meta.id;
    describe(`${id} (RuleTester)`, () => {
      for (const c of cases.valid) {
        test(`valid: ${c.name}`, async () => {
          const dir = writeProject(c.files);
          const found = await findings(id, dir, c);
          assert.deepEqual(
            found.map((d) => describeFinding(dir, d)),
            [],
            `case "${c.name}" should report nothing`,
          );
        });
      }
      for (const c of cases.invalid) {
        test(`invalid: ${c.name}`, async () => {
          assert.ok(c.errors.length > 0, 'an invalid case expects at least one finding');
          const dir = writeProject(c.files);
          const found = await findings(id, dir, c);
          assert.equal(
            found.length,
            c.errors.length,
            `case "${c.name}": expected ${c.errors.length} finding(s), got:\n${found.map((d) => describeFinding(dir, d)).join('\n')}`,
          );
          c.errors.forEach((expected, i) => assertFinding(dir, found[i]!, expected, `case "${c.name}", finding ${i + 1}`));
          if (c.output === undefined) return;
          const fixed = await fixedFiles(id, dir, c);
          if (c.output === null) {
            assert.deepEqual(Object.keys(fixed), [], `case "${c.name}": no fix should apply`);
            return;
          }
          assert.deepEqual(fixed, c.output, `case "${c.name}": fixed files`);
          // Convergence: the fixed project, fixed again, stays as it is.
          const again = writeProject({ ...c.files, ...c.output });
          assert.deepEqual(
            Object.keys(await fixedFiles(id, again, c)),
            [],
            `case "${c.name}": the fixed output must not change when fixed again`,
          );
        });
      }
    });
  }
}
