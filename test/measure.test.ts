/**
 * `netra-migrate measure` with real runners: pytest 9 (from .cache/venv) collecting a project of three roots,
 * one of which allocates 200 MB at import and one of which cannot be imported; Jest 30 and Vitest 4 listing a
 * two-project monorepo; the HTML page loaded in real headless Chromium. Numbers are asserted by their
 * relations (the 200 MB root peaks at least 150 MB above the small one), never by timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { PYTHON, ROOT, pythonAvailable, runCli, writeTree } from './support/env.js';
import type { Measurement, RunMeasurement } from '../src/runners/pytest/measurement.js';

const SMALL = 'def test_a():\n    pass\n\ndef test_b():\n    pass\n';
// 200 MB written page by page, so it is resident (not only reserved) while the module is imported.
const BIG =
  'BLOB = bytearray(200 * 1024 * 1024)\nfor _i in range(0, len(BLOB), 4096):\n    BLOB[_i] = 1\n\ndef test_big():\n    assert BLOB\n';
const BROKEN = 'import not_a_module_anywhere\n\ndef test_x():\n    pass\n';
const THREE_ROOTS = {
  'pytest.ini': '[pytest]\ntestpaths = small big broken\n',
  'small/test_small.py': SMALL,
  'big/test_big.py': BIG,
  'broken/test_broken.py': BROKEN,
  'broken/test_ok.py': 'def test_ok():\n    pass\n',
};

/** Every file under `dir` with its size and mtime, to prove a run wrote nothing there. */
function snapshot(dir: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      if (e.isDirectory()) walk(p);
      else out.set(rel, `${statSync(p).size}:${statSync(p).mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

const byRoot = (runs: RunMeasurement[], root: string) => {
  const run = runs.find((r) => r.root === root);
  assert.ok(run, `no run for ${root} in ${JSON.stringify(runs)}`);
  return run;
};

const chromium = ['chromium', 'chromium-browser'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);

test(
  'pytest: each root measured alone and all together, the 200 MB root 150 MB higher, the broken root with its error, --after-fix shows one root; the page in Chromium; check cites the measurement',
  { skip: pythonAvailable() },
  async (t) => {
    const dir = writeTree(THREE_ROOTS, 'netra-measure-');
    const before = snapshot(dir);
    const r = runCli(
      ['measure', '--python', PYTHON, '--format', 'json', '--after-fix', '--unsafe', '--html', 'report.html', '--save'],
      dir,
    );
    // A root that cannot be collected makes the exit code 1; the others are still measured.
    assert.equal(r.code, 1, r.stderr);
    const m = JSON.parse(r.stdout) as Measurement;
    assert.equal(m.configs.length, 1);
    const c = m.configs[0]!;
    assert.equal(c.config, 'pytest.ini');
    assert.deepEqual(
      c.roots.map((x) => [x.root, x.tests, x.exitCode]),
      [
        ['small', 2, 0],
        ['big', 1, 0],
        // pytest exits 2 on a collection error; test_ok.py beside it is still collected.
        ['broken', 1, 2],
      ],
    );
    const small = byRoot(c.roots, 'small');
    const big = byRoot(c.roots, 'big');
    const broken = byRoot(c.roots, 'broken');
    assert.equal(small.error, null);
    assert.equal(big.error, null);
    assert.equal(broken.error, "broken/test_broken.py: ModuleNotFoundError: No module named 'not_a_module_anywhere'");
    assert.ok(small.peakMb! > 5 && big.peakMb! >= small.peakMb! + 150, `peaks: small ${small.peakMb} MB, big ${big.peakMb} MB`);
    assert.ok(c.all.peakMb! >= small.peakMb! + 150);
    assert.equal(c.all.tests, 4);
    assert.equal(c.all.root, 'all');
    for (const run of [small, big, broken, c.all]) assert.ok(run.seconds > 0);
    // The unsafe fix keeps one root: after it, one root is collected (and nothing else is).
    assert.ok(c.after);
    assert.deepEqual(
      c.after.roots.map((x) => [x.root, x.tests, x.error]),
      [['small', 2, null]],
    );
    assert.equal(c.after.all.tests, 2);
    assert.ok(c.after.all.peakMb! < big.peakMb! - 150);
    // Nothing written into the project but the page and the saved measurement (no bytecode, no .pytest_cache).
    const after = snapshot(dir, (rel) => rel === 'report.html' || rel.startsWith('.netra-migrate-cache'));
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    assert.deepEqual(after, before);
    assert.deepEqual(readdirSync(join(dir, '.netra-migrate-cache')).sort(), ['.gitignore', 'measurement.json']);

    await t.test('the page, in headless Chromium: one bar per root and phase, heights in the measured ratio', () => {
      assert.ok(chromium, 'chromium is not installed (.ci/run installs it before npm test)');
      const page = join(dir, 'report.html');
      const html = readFileSync(page, 'utf8');
      assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'self-contained: no script, no network');
      // A probe page frames the report and reads the sizes the browser laid out.
      const probe = join(dir, 'probe.html');
      writeFileSync(
        probe,
        `<!doctype html><html><body><iframe id="f" src="report.html" width="1400" height="1000"></iframe><pre id="out">pending</pre><script>
document.getElementById('f').addEventListener('load', () => {
  const doc = document.getElementById('f').contentDocument;
  const bars = [...doc.querySelectorAll('rect.bar')].map((r) => ({ root: r.dataset.root, phase: r.dataset.phase, metric: r.dataset.metric, value: Number(r.dataset.value), height: r.getBoundingClientRect().height }));
  document.getElementById('out').textContent = JSON.stringify(bars);
});
</script></body></html>`,
      );
      const flags = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--allow-file-access-from-files',
        `--user-data-dir=${mkdtempSync(join(tmpdir(), 'chromium-'))}`,
      ];
      const dom = spawnSync(chromium, [...flags, '--virtual-time-budget=10000', '--dump-dom', `file://${probe}`], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      const json = /<pre id="out">(.*?)<\/pre>/s.exec(dom.stdout)?.[1];
      assert.ok(json && json !== 'pending', `no bars read from the page: ${dom.stderr.slice(-2000)}`);
      const bars = JSON.parse(json.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as {
        root: string;
        phase: string;
        metric: string;
        value: number;
        height: number;
      }[];
      for (const metric of ['peakMb', 'seconds']) {
        const before = bars.filter((b) => b.metric === metric && b.phase === 'before');
        assert.deepEqual(
          before.map((b) => b.root),
          ['small', 'big', 'broken', 'all'],
        );
        assert.deepEqual(
          bars.filter((b) => b.metric === metric && b.phase === 'after').map((b) => b.root),
          ['small', 'all'],
        );
        const measured = (root: string) => (root === 'all' ? c.all : byRoot(c.roots, root))[metric as 'peakMb' | 'seconds']!;
        for (const b of before) assert.equal(b.value, measured(b.root));
        // Heights in the ratio of the values (one scale per chart): big / small as measured.
        const h = (root: string) => before.find((b) => b.root === root)!.height;
        assert.ok(h('small') > 0);
        const ratio = measured('big') / measured('small');
        assert.ok(Math.abs(h('big') / h('small') - ratio) < 0.02 * ratio, `${metric}: ${h('big')}/${h('small')} vs ${ratio}`);
      }
      // The screenshot, kept as a test artefact.
      const artefacts = join(ROOT, 'test-artifacts');
      mkdirSync(artefacts, { recursive: true });
      const shot = join(artefacts, 'measure-report.png');
      rmSync(shot, { force: true });
      spawnSync(chromium, [...flags, '--window-size=1400,1000', `--screenshot=${shot}`, `file://${page}`], { timeout: 120_000 });
      assert.ok(existsSync(shot) && statSync(shot).size > 5000, 'no screenshot written');
    });

    await t.test('single-test-root cites the saved measurement', () => {
      const checked = runCli(['check', '--format', 'json', '--rule', 'single-test-root:error'], dir);
      const finding = (JSON.parse(checked.stdout) as { rule: string; message: string }[]).find((d) => d.rule === 'single-test-root');
      assert.ok(finding, checked.stdout + checked.stderr);
      assert.match(
        finding.message,
        /; measured: collecting `small` alone: 2 tests, \d+\.\d s, \d+ MB; `big` alone: 1 test, \d+\.\d s, (2\d\d) MB;/,
      );
      assert.match(finding.message, /; all together: 4 tests, /);
    });

    await t.test('a measurement file that is not one is ignored with a note (a FIFO never blocks the check)', () => {
      const file = join(dir, '.netra-migrate-cache', 'measurement.json');
      rmSync(file);
      writeFileSync(file, '{"version": 1, "base": "/", "configs": [{"config": "pytest.ini"}]}');
      let checked = runCli(['check', '--format', 'json'], dir);
      let message = (JSON.parse(checked.stdout) as { rule: string; message: string }[]).find((d) => d.rule === 'single-test-root')!.message;
      assert.match(
        message,
        /\(measurement \.netra-migrate-cache\/measurement\.json ignored: configs\[0\] does not have the shape of a measured config\)$/,
      );
      rmSync(file);
      assert.equal(spawnSync('mkfifo', [file]).status, 0);
      checked = runCli(['check', '--format', 'json'], dir);
      message = (JSON.parse(checked.stdout) as { rule: string; message: string }[]).find((d) => d.rule === 'single-test-root')!.message;
      assert.match(message, /measurement \.netra-migrate-cache\/measurement\.json ignored: is a named pipe \(FIFO\), not a regular file/);
      // The run ends as usual: several roots are a warning under the default preset.
      assert.equal(checked.code, 0, checked.stderr);
    });
  },
);

test(
  'pytest: a root over --memory-limit and a root past --timeout are stopped and reported; the other root is measured',
  { skip: pythonAvailable() },
  () => {
    const dir = writeTree(
      {
        'pytest.ini': '[pytest]\ntestpaths = small big slow\n',
        'small/test_small.py': SMALL,
        'big/test_big.py': BIG,
        'slow/test_slow.py': 'import time\ntime.sleep(600)\n\ndef test_slow():\n    pass\n',
      },
      'netra-measure-',
    );
    const started = Date.now();
    const saved = join(dir, '..', `${basename(dir)}-measurement.json`);
    const r = runCli(
      ['measure', '--python', PYTHON, '--format', 'json', '--memory-limit', '150', '--timeout', '10', '--measurement', saved],
      dir,
    );
    assert.equal(r.code, 1, r.stderr);
    const c = (JSON.parse(r.stdout) as Measurement).configs[0]!;
    const small = byRoot(c.roots, 'small');
    assert.deepEqual([small.tests, small.exitCode, small.error], [2, 0, null]);
    const big = byRoot(c.roots, 'big');
    assert.equal(big.exitCode, null);
    assert.match(big.error!, /^stopped: \d+ MB is over the memory limit of 150 MB$/);
    assert.ok(big.peakMb! > 150);
    const slow = byRoot(c.roots, 'slow');
    assert.equal(slow.exitCode, null);
    assert.equal(slow.error, 'stopped: still running after the timeout of 10 s');
    assert.ok(slow.seconds >= 10 && slow.seconds < 60, String(slow.seconds));
    // All together goes over the memory limit (big) or the timeout (slow): stopped either way.
    assert.equal(c.all.exitCode, null);
    assert.match(c.all.error!, /^stopped: /);
    // No process of the stopped groups is left (the sleep would otherwise run for ten minutes).
    assert.ok(Date.now() - started < 180_000);
    const left = readdirSync('/proc').filter((pid) => {
      try {
        return /^\d+$/.test(pid) && readlinkSync(`/proc/${pid}/cwd`) === dir;
      } catch {
        return false;
      }
    });
    assert.deepEqual(left, [], 'a stopped run left a process behind');
    // Saved where --measurement names (not in the project), and cited from there by check --measurement.
    assert.ok(!existsSync(join(dir, '.netra-migrate-cache')));
    const checked = runCli(['check', '--format', 'json', '--measurement', saved], dir);
    const message = (JSON.parse(checked.stdout) as { rule: string; message: string }[]).find((d) => d.rule === 'single-test-root')!.message;
    assert.match(
      message,
      /; measured: collecting `small` alone: 2 tests, [^;]*; `big` alone: \? tests, [^;]*\(stopped: \d+ MB is over the memory limit of 150 MB\); `slow` alone: \? tests, /,
    );
  },
);

test(
  'pytest: a usage error is reported by what argparse says; an interpreter that cannot run is a usage error (exit 2)',
  { skip: pythonAvailable() },
  () => {
    const dir = writeTree({ 'pytest.ini': '[pytest]\naddopts = --no-such-flag\n', 'tests/test_a.py': SMALL }, 'netra-measure-');
    const r = runCli(['measure', '--python', PYTHON, '--format', 'json'], dir);
    assert.equal(r.code, 1, r.stderr);
    const c = (JSON.parse(r.stdout) as Measurement).configs[0]!;
    assert.deepEqual([c.all.root, c.all.exitCode, c.all.error], ['all', 4, 'pytest: error: unrecognized arguments: --no-such-flag']);
    const missing = runCli(['measure', '--python', join(dir, 'no-python')], dir);
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /^netra-migrate: --python \S+no-python: cannot run it \(spawnSync \S+ ENOENT\)\n$/);
  },
);

const SCRATCH = join(ROOT, '.cache', 'measure-runs');

/** A project under .cache/ in the repository, so `node_modules/.bin/jest` and `vitest` are found from it. */
function jsProject(files: Record<string, string>): string {
  mkdirSync(SCRATCH, { recursive: true });
  const dir = mkdtempSync(join(SCRATCH, 'p-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test('Jest 30: a two-project monorepo, each project listed alone and all together, and again after the fix', () => {
  const dir = jsProject({
    'package.json': '{ "name": "jest-mono", "private": true, "devDependencies": { "jest": "^30.0.0" } }\n',
    'jest.config.js': "module.exports = { projects: ['<rootDir>/packages/a', '<rootDir>/packages/b'] };\n",
    'packages/a/jest.config.js': "module.exports = { displayName: 'a' };\n",
    'packages/b/jest.config.js': "module.exports = { displayName: 'b' };\n",
    'packages/a/one.test.js': "test('t', () => expect(1).toBe(1));\n",
    'packages/a/two.test.js': "test('t', () => expect(1).toBe(1));\n",
    'packages/a/three.test.js': "test('t', () => expect(1).toBe(1));\n",
    'packages/b/one.test.js': "test('t', () => expect(1).toBe(1));\n",
  });
  const before = snapshot(dir);
  try {
    const r = runCli(['measure', '--format', 'json', '--after-fix'], dir);
    assert.equal(r.code, 0, r.stderr);
    // Listing wrote nothing into the project (no cache, no report).
    assert.deepEqual(snapshot(dir), before);
    const m = JSON.parse(r.stdout) as Measurement;
    assert.deepEqual(
      m.configs.map((c) => [c.config, c.runner, c.unit]),
      [['jest.config.js', 'jest', 'test files']],
    );
    const c = m.configs[0]!;
    assert.deepEqual(
      c.roots.map((x) => [x.root, x.tests, x.exitCode, x.error]),
      [
        ['packages/a', 3, 0, null],
        ['packages/b', 1, 0, null],
      ],
    );
    assert.deepEqual([c.all.tests, c.all.exitCode], [4, 0]);
    for (const run of [...c.roots, c.all]) assert.ok(run.peakMb! > 20 && run.seconds > 0, JSON.stringify(run));
    // The safe fixes (the memory monitor, a timeout) keep every project: the same files listed after them.
    assert.deepEqual(
      c.after?.roots.map((x) => [x.root, x.tests, x.error]),
      [
        ['packages/a', 3, null],
        ['packages/b', 1, null],
      ],
    );
    assert.equal(c.after.all.tests, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Vitest 4: a two-project monorepo, the project that allocates 200 MB at import peaks 150 MB higher', () => {
  const dir = jsProject({
    'package.json': '{ "name": "vitest-mono", "private": true, "type": "module", "devDependencies": { "vitest": "^4.0.0" } }\n',
    'vitest.config.mjs':
      "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { projects: ['packages/*'] } });\n",
    'packages/a/vitest.config.mjs':
      "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { name: 'a' } });\n",
    'packages/b/vitest.config.mjs':
      "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { name: 'b' } });\n",
    'packages/a/a.test.js':
      "import { test, expect } from 'vitest';\ntest('one', () => expect(1).toBe(1));\ntest('two', () => expect(1).toBe(1));\n",
    'packages/b/b.test.js':
      "import { test, expect } from 'vitest';\nconst blob = Buffer.alloc(200 * 1024 * 1024, 1);\ntest('big', () => expect(blob.length).toBeGreaterThan(0));\n",
  });
  const before = snapshot(dir);
  try {
    const r = runCli(['measure', '--format', 'json'], dir);
    assert.equal(r.code, 0, r.stderr);
    // Listing wrote nothing into the project (no cache, no report).
    assert.deepEqual(snapshot(dir), before);
    const c = (JSON.parse(r.stdout) as Measurement).configs[0]!;
    assert.deepEqual([c.config, c.runner, c.unit], ['vitest.config.mjs', 'vitest', 'tests']);
    assert.deepEqual(
      c.roots.map((x) => [x.root, x.tests, x.exitCode, x.error]),
      [
        ['packages/a', 2, 0, null],
        ['packages/b', 1, 0, null],
      ],
    );
    assert.deepEqual([c.all.tests, c.all.exitCode], [3, 0]);
    const a = byRoot(c.roots, 'packages/a');
    const b = byRoot(c.roots, 'packages/b');
    assert.ok(b.peakMb! >= a.peakMb! + 150, `peaks: a ${a.peakMb} MB, b ${b.peakMb} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
