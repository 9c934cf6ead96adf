// The test tiers. `npm test` (what CI runs) builds, type-checks and runs both; `npm run test:fast` runs only
// the fast tier while you work. A test file is fast unless it is named here: these run real pytest, Jest,
// Vitest, CPython or pre-commit on fixed projects, or start many processes.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from './remove-tree.mjs';

export const END_TO_END = new Set([
  'acceptance.test.ts',
  'asyncio.test.ts',
  'cli.test.ts',
  'compose-merge.test.ts',
  'containers.test.ts',
  'environments.test.ts',
  'environment-matrix.test.ts',
  'corpus.test.ts',
  'fix-invariant.test.ts',
  'fix-matrix.test.ts',
  'hostile.test.ts',
  'hostile-input.test.ts',
  'hostile-parse.test.ts',
  'integration.test.ts',
  'invocations.test.ts',
  'js-runners.test.ts',
  'js-semantics.test.ts',
  'measure.test.ts',
  'monitor.test.ts',
  'node-monitor.test.ts',
  'nvim.test.ts',
  'open-world-pytest.test.ts',
  'open-world.test.ts',
  'plugin-registry.test.ts',
  'profiles.test.ts',
  'precommit.test.ts',
  'python-differential.test.ts',
  'schemas.test.ts',
  'server.test.ts',
  'testpaths.test.ts',
  'tool-config.test.ts',
  'vscode-extension.test.ts',
  'workflow.test.ts',
]);

const tier = process.argv[2] ?? 'all';
if (!['fast', 'e2e', 'all'].includes(tier)) {
  process.stderr.write(`usage: node scripts/test.mjs [fast|e2e|all] (got ${tier})\n`);
  process.exit(2);
}
const root = join(import.meta.dirname, '..');
const all = readdirSync(join(root, 'test'))
  .filter((f) => f.endsWith('.test.ts'))
  .sort();
const files = all.filter((f) => tier === 'all' || (tier === 'e2e') === END_TO_END.has(f));
for (const f of END_TO_END)
  if (!all.includes(f)) process.stderr.write(`scripts/test.mjs: ${f} is listed as end-to-end but does not exist\n`);
const tsx = join(root, 'node_modules', '.bin', 'tsx');
// netra-migrate asks `python3` for CPython's verdict on Python it reads or writes (src/formats/cpython.ts).
// The tests ask the same interpreter by its real path: where `python3` is a version manager's shim (pyenv),
// every call would first start a shell script, which made the fix cases of the rules test spend most of
// their time starting shims. NETRA_PYTHON set by the caller wins.
const env = { ...process.env };
if (!env.NETRA_PYTHON) {
  const which = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  const executable = which.status === 0 ? which.stdout.trim() : '';
  if (executable) env.NETRA_PYTHON = executable;
}
// The tests' scratch projects go in one fresh directory, removed afterwards. Reads walk up from a project
// (pytest's rootdir, the project root of its dependencies), so a system temp directory crowded with
// thousands of entries made every case list and sort it; /var/tmp is used when there is one.
const scratchParent = existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
env.TMPDIR = mkdtempSync(join(scratchParent, 'netra-migrate-tests-'));
// Open like /tmp (mkdtemp makes it 0700): the tests that run the CLI as another user (nobody) must reach their projects.
chmodSync(env.TMPDIR, 0o1777);
const run = spawnSync(tsx, ['--test', '--test-concurrency=2', ...files.map((f) => join('test', f))], { cwd: root, stdio: 'inherit', env });
try {
  // A test makes a tree deeper than PATH_MAX: removed without building over-long paths.
  removeTree(env.TMPDIR);
} catch (e) {
  process.stderr.write(`scripts/test.mjs: scratch directory ${env.TMPDIR} left behind: ${String(e)}\n`);
}
process.exit(run.status ?? 1);
