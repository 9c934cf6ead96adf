import { defineRule } from '../../../core/rule.js';
import { listItems } from '../config.js';
import { removeItems, renderValue, replaceValue } from '../edit.js';
import { isActive } from '../rule-kit.js';
import { existsSync } from 'node:fs';
import { citeMeasurement, findMeasurementFile, measuredConfig, readMeasurement } from '../measurement.js';
import { testRoots } from '../roots.js';
import { describeCollected, displayPath, type PytestTarget } from '../target.js';
import { describeEnvironments } from '../environments.js';
import { makeRuns, runsOnSeveralRoots } from '../../ci/roots.js';

interface Options {
  /** The root to keep; default the first entry of `testpaths` that holds test files. */
  root?: string;
  /** Roots that may stay listed beside the kept one. */
  allow?: string[];
}

/**
 * What a saved measurement (`measure --save`) says about these roots: "collecting `a` alone: 3 tests, 0.4 s,
 * 32 MB; ...", or why the measurement file was ignored; null when there is none or it does not cover the config.
 */
function measured(target: PytestTarget, roots: readonly string[]): { measured: string } | { note: string } | null {
  const file = target.measurement ?? findMeasurementFile(target.rootDir, existsSync);
  if (file === null) return null;
  const read = readMeasurement(file);
  if ('note' in read) return { note: `${displayPath(target.rootDir, file)} ignored: ${read.note}` };
  const config = measuredConfig(read.measurement, target.config.file);
  const cited = config ? citeMeasurement(config, roots) : null;
  return cited === null ? null : { measured: cited };
}

export default defineRule<PytestTarget, 'several' | 'severalMeasured' | 'severalMeasurementIgnored' | 'severalRunTogether', Options>({
  meta: {
    id: 'single-test-root',
    runners: ['pytest', 'jest', 'vitest'],
    severity: { recommended: 'warning', strict: 'error' },
    fix: 'unsafe',
    description: 'A test run collects from one root, not several.',
    messages: {
      several: '`testpaths` lists {{count}} roots; {{dropped}} would no longer be collected by default',
      severalMeasured: '`testpaths` lists {{count}} roots; {{dropped}} would no longer be collected by default; measured: {{measured}}',
      severalMeasurementIgnored:
        '`testpaths` lists {{count}} roots; {{dropped}} would no longer be collected by default (measurement {{note}})',
      severalRunTogether:
        '`testpaths` lists {{count}} roots; {{dropped}} would no longer be collected by default. No fix: {{where}} runs pytest on {{paths}} in one process, which would then bring back a root the config dropped; run one root per command there first',
    },
    options: {
      type: 'object',
      properties: {
        root: { type: 'string', description: 'The root to keep (default: the first one listed that holds test files).' },
        allow: { type: 'array', items: { type: 'string' }, description: 'Roots that may stay listed.' },
      },
      additionalProperties: false,
    },
    defaultOptions: {},
    docs: {
      what: 'Flags a `testpaths` that lists more than one root (a directory, or a glob matching one). A file listed in `testpaths` is not a root: pytest collects its tests and walks nothing, so it is neither counted nor removed; nor is a package with no test files listed while `--doctest-modules` is on (it is there for its doctests). The message says what each dropped root holds: test files (globs expanded as pytest expands them) and doctest files (`--doctest-glob`, default `test*.txt`). Also, report only, a command that runs pytest on several roots where the config governing it collects one (a CI step, Compose command, tox env, nox session, Makefile recipe or `scripts/*.sh` line); node ids and files inside the configured root, and a job that runs another root alone, are not findings; a command that measures coverage (`--cov`, `coverage run`) on several roots gets an `info` note, since a combined report needs them in one process. When a measurement saved by `netra-migrate measure --save` covers the config (the nearest `.netra-migrate-cache/measurement.json`, or `check --measurement FILE`), the message cites what each root cost to collect on that machine: "collecting `netra_backend/tests` alone: 1,330 tests, 41 s, 1.4 GB"; a file that is not a measurement is ignored with a note in the message.',
      why: 'Every root is walked, imported and held in memory before the first test runs. In the seed project three roots made collection take over 60 seconds and pushed a 512 MB container over its limit; one root per run keeps collection bounded, and other roots run as separate jobs (`pytest other/tests`).',
      example: {
        file: 'pytest.ini',
        bad: '[pytest]\ntestpaths = tests netra_backend/tests auth_service/tests\n',
        good: '[pytest]\ntestpaths = tests\n',
      },
      fixSafety:
        'Unsafe: the fix keeps one root (option `root`, default the first that holds test files) and removes the other roots, so a plain `pytest` stops collecting their tests. Run them explicitly (`pytest netra_backend/tests`) or in their own CI job. Files listed in `testpaths` stay. No fix where a tox env, nox session, CI job or Makefile recipe runs pytest on several roots in one command (`pytest docs/examples tests`): with one root configured that command would be reported as bringing back a dropped root, an error no fix clears; the message names the environments.',
    },
  },
  async check(ctx, target) {
    if (!isActive(target)) return;
    const { config } = target;
    const found = testRoots(target);
    if (!found?.entry) return;
    const { entry, entries, collected, isRoot, roots } = found;
    if (roots.length <= 1) return;
    const allow = new Set(ctx.options.allow ?? []);
    // Never keep a root that holds no test file while another holds some (a doctest-only package listed
    // first would leave the suite empty): the first root with test files, unless the user names one.
    const keep =
      ctx.options.root ??
      roots.find((r) => collected[entries.indexOf(r)]!.modules + collected[entries.indexOf(r)]!.doctests > 0) ??
      roots[0]!;
    const dropped = entries.map((r, i) => ({ r, i })).filter(({ r, i }) => isRoot(i) && r !== keep && !allow.has(r));
    if (dropped.length === 0) return;
    const described = dropped.map(({ r, i }) => describeCollected(r, collected[i]!));
    const items = listItems(config, entry, 'args');
    const keptInList = entries.includes(keep);
    const files = entries.filter((r, i) => !isRoot(i) && r !== keep);
    const droppedAt = new Set(dropped.map(({ i }) => i));
    const after =
      items && keptInList
        ? entries.filter((_, i) => !droppedAt.has(i))
        : [keep, ...roots.filter((r) => allow.has(r) && r !== keep), ...files];
    const edits =
      items && keptInList
        ? removeItems(config, entry, items, droppedAt)
        : [replaceValue(config, entry, renderValue(config, 'args', after))];
    // A tox env, nox session or CI job that runs pytest on several roots together would, once the config keeps
    // one, be reported as bringing back the dropped roots: an error no fix clears (which command runs which
    // root is the user's call). No fix then, and the message says where.
    const environments = target.project ? (await target.project()).environments : [];
    const together = runsOnSeveralRoots([...environments, ...makeRuns((p) => target.read(p), target.rootDir)], config.file, after);
    const data = { count: roots.length, dropped: described.join(' and ') };
    if (together.length > 0) {
      ctx.report({
        messageId: 'severalRunTogether',
        data: { ...data, where: describeEnvironments(together.map((t) => t.env)), paths: together[0]!.paths.join(', ') },
        start: entry.keyStart,
        end: entry.valueEnd,
        fix: null,
      });
      return;
    }
    // A saved measurement (`netra-migrate measure --save`) puts numbers from this machine beside the counts.
    const cited = measured(target, roots);
    ctx.report({
      ...(cited === null
        ? { messageId: 'several' as const, data }
        : 'measured' in cited
          ? { messageId: 'severalMeasured' as const, data: { ...data, measured: cited.measured } }
          : { messageId: 'severalMeasurementIgnored' as const, data: { ...data, note: cited.note } }),
      start: entry.keyStart,
      end: entry.valueEnd,
      fix: { title: `Keep only ${keep} in testpaths`, applicability: 'unsafe', edits },
    });
  },
});
