import { readdirSync } from 'node:fs';
import { defineRule } from '../../../core/rule.js';
import { skippedDir } from '../../../core/walk.js';
import { getEntry, listValue } from '../config.js';
import { insertEntry, renderValue } from '../edit.js';
import { headerRange, isActive } from '../rule-kit.js';
import { addoptsFlag, countTestFiles, fnmatchRegExp, parseAddopts, type PytestTarget } from '../target.js';
import { describeEnvironments } from '../environments.js';
import { makeRuns, runsOnSeveralRoots } from '../../ci/roots.js';

/**
 * Top-level directories a bare `pytest` does not walk: `--ignore=DIR` / `--ignore-glob` in addopts and the
 * config's `norecursedirs` patterns (its defaults are the walk's own skips).
 */
function notWalked(target: PytestTarget): RegExp[] {
  const out: RegExp[] = [];
  for (const t of parseAddopts(target.config)?.tokens ?? []) {
    if ((t.flag !== '--ignore' && t.flag !== '--ignore-glob') || !t.value) continue;
    const path = t.value.replace(/^\.\//, '').replace(/\/+$/, '');
    if (!path.includes('/'))
      out.push(t.flag === '--ignore' ? new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : fnmatchRegExp(path));
  }
  for (const pattern of listValue(target.config, 'norecursedirs', 'args')) if (!pattern.includes('/')) out.push(fnmatchRegExp(pattern));
  return out;
}

/** Directory names that hold a project's tests by convention. */
const TEST_DIR = /^(tests?|testing)$/;

export default defineRule<PytestTarget, 'missing', Record<string, never>>({
  meta: {
    id: 'require-testpaths',
    runners: ['pytest'],
    severity: 'warning',
    fix: 'unsafe',
    description: 'A config whose rootdir holds more than its tests names them in `testpaths`.',
    messages: {
      missing:
        'no `testpaths`: a bare `pytest` also walks {{dirs}} under the rootdir looking for tests, importing every matching module it finds{{hint}}',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: 'Flags an active pytest config without `testpaths` (and without paths in `addopts`) whose rootdir holds directories besides its test directory (`tests`, `test` or `testing`). Directories that `--ignore`/`--ignore-glob` in `addopts` or `norecursedirs` leave out are not walked, so they neither count nor block the fix.',
      why: "Without `testpaths`, pytest run with no arguments recurses the whole rootdir: source packages, docs, scripts, vendored code and data directories are walked and every `test_*.py` in them is imported. That costs collection time and memory on every run, and picks up stray test files (a vendored library's tests, a script named test_x.py).",
      example: {
        file: 'pytest.ini',
        bad: '[pytest]\naddopts = -ra\n',
        good: '[pytest]\naddopts = -ra\ntestpaths = tests\n',
        beside: { 'tests/test_app.py': 'def test_app():\n    pass\n', 'src/app/__init__.py': '', 'docs/index.md': '# docs\n' },
      },
      fixSafety:
        'Unsafe: the fix adds `testpaths = <dir>` when exactly one test directory exists and every test file pytest would collect lies in it, so the same tests run; it still changes what a bare `pytest` walks (a test file added elsewhere later is not collected). With tests elsewhere too, or `--doctest-modules`, there is no fix; nor where a tox env, nox session, CI job or Makefile recipe runs pytest on the test directory and another root in one command (`pytest --doctest-modules mypkg tests`), which `testpaths` would turn into a `single-test-root` error no fix clears: the message names the environments.',
    },
  },
  async check(ctx, target) {
    if (!isActive(target)) return;
    const { config } = target;
    if (getEntry(config, 'testpaths')) return;
    // Paths in addopts are what pytest collects instead (a conftest option's value is not one).
    const local = target.project ? (await target.project()).local.flags : undefined;
    if (parseAddopts(config, local)?.tokens.some((t) => t.flag === null && t.item.value !== '--')) return;
    let entries;
    try {
      entries = readdirSync(target.rootDir, { withFileTypes: true });
    } catch {
      return;
    }
    const walked = (name: string) => !notWalked(target).some((r) => r.test(name));
    const all = entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !skippedDir(e.name))
      .map((e) => e.name)
      .sort();
    const dirs = all.filter(walked);
    const testDirs = dirs.filter((d) => TEST_DIR.test(d));
    const others = dirs.filter((d) => !TEST_DIR.test(d));
    if (testDirs.length === 0 || others.length === 0) return;
    const total = countTestFiles(target, '.') - all.filter((d) => !walked(d)).reduce((n, d) => n + countTestFiles(target, d), 0);
    const inTests = testDirs.length === 1 ? countTestFiles(target, testDirs[0]!) : 0;
    const fixable = testDirs.length === 1 && inTests === total && !addoptsFlag(config, '--doctest-modules');
    // With `testpaths` set, a tox env, nox session or CI job that runs pytest on the test directory and
    // another root together would be reported as bringing back the roots the config dropped: no fix then.
    const together =
      fixable && target.project
        ? runsOnSeveralRoots([...(await target.project()).environments, ...makeRuns((p) => target.read(p), target.rootDir)], config.file, [
            testDirs[0]!,
          ])
        : [];
    const shown =
      others.length > 4
        ? `${others
            .slice(0, 4)
            .map((d) => `${d}/`)
            .join(', ')} and ${others.length - 4} more directories`
        : others
            .map((d) => `${d}/`)
            .join(', ')
            .replace(/, ([^,]*)$/, ' and $1');
    const hint =
      together.length > 0
        ? ` (no fix: ${describeEnvironments(together.map((t) => t.env))} runs pytest on ${together[0]!.paths.join(', ')} in one process, which testpaths = ${testDirs[0]} would report as bringing back a dropped root; run one root per command there first)`
        : fixable
          ? ''
          : testDirs.length > 1
            ? ` (tests live in ${testDirs.map((d) => `${d}/`).join(' and ')}: list them in testpaths)`
            : ` (${total - inTests} of ${total} test files ${total - inTests === 1 ? 'lies' : 'lie'} outside ${testDirs[0]}/: list every test directory in testpaths)`;
    ctx.report({
      messageId: 'missing',
      data: { dirs: shown, hint },
      ...headerRange(config),
      fix:
        fixable && together.length === 0
          ? {
              title: `Add testpaths = ${testDirs[0]}`,
              applicability: 'unsafe',
              edits: [insertEntry(config, 'testpaths', renderValue(config, 'args', [testDirs[0]!]))],
            }
          : null,
    });
  },
});
