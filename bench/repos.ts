/**
 * Public repositories side by side with Ruff, and single large files, for `npm run bench` (sections `repos`
 * and `large`). Each repository is named by a git directory (a clone, or a bare mirror such as the `fetch`
 * tool makes: `/work/.mirror/owner+name/repo`), optionally pinned as `DIR@COMMIT`; it is checked out into a
 * temporary directory, so the table names `owner/name@commit` and anyone can rebuild the same tree.
 *
 *   BENCH_REPOS=/work/.mirror/aio-libs+aiohttp/repo,/path/to/clone@0123abc  the repositories (none: skipped)
 *   BENCH_OLD=/path/to/old/bin/netra-migrate.js  an older build run in the same interleaving; its findings
 *            (`check --format json`) and fix dry-run diffs are compared with this build's, byte for byte
 *   BENCH_REPO_RUNS=5  runs of each command per repository (interleaved: netra-migrate, Ruff, old build)
 *
 * CPU time (user + sys, children included) is the primary measure: other work on a shared machine inflates
 * wall time far more. Never used as a timed assertion in tests.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';

export interface Timing {
  s: number;
  cpu: number;
  mb: number;
  out: string;
  status: number | null;
}

/** Wall, CPU (user + sys, waited-for children included) and peak RSS of one command, through /usr/bin/time. */
export function timed(cwd: string, cmd: string, args: string[]): Timing {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', cmd, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NETRA_MIGRATE_NO_CACHE: '1', NO_COLOR: '1' },
    maxBuffer: 512 * 1024 * 1024,
  });
  const m = /TIME (\S+) (\S+) (\S+) (\d+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.slice(-400)}`);
  return { s: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), mb: Number(m[4]) / 1024, out: r.stdout, status: r.status };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const med = (ts: Timing[], k: 's' | 'cpu') => median(ts.map((t) => t[k]));
const peak = (ts: Timing[]) => Math.max(...ts.map((t) => t.mb));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

interface Checkout {
  name: string;
  commit: string;
  dir: string;
  files: number;
  py: number;
  /** Files the mirror lacks (large binaries), left out of the checkout. */
  absent: number;
}

/** `DIR[@COMMIT]` checked out into a temporary directory; the name from the mirror's `owner+name` or the clone's remote. */
function checkout(spec: string): Checkout {
  const at = spec.lastIndexOf('@');
  const [gitDir, rev] = at > 0 && /^[0-9a-f]{7,40}$/.test(spec.slice(at + 1)) ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, 'HEAD'];
  const bare = existsSync(join(gitDir, 'objects'));
  const git = (...args: string[]) => {
    const r = spawnSync('git', bare ? ['--git-dir', gitDir, ...args] : ['-C', gitDir, ...args], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${gitDir}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const commit = git('rev-parse', `${rev}^{commit}`);
  const mirror = /([^/]+)\+([^/]+)$/.exec(bare ? dirname(gitDir) : gitDir);
  const remote = mirror
    ? null
    : /[:/]([^/:]+\/[^/]+?)(?:\.git)?$/.exec(
        spawnSync('git', ['-C', gitDir, 'remote', 'get-url', 'origin'], { encoding: 'utf8' }).stdout.trim(),
      );
  const name = mirror ? `${mirror[1]}/${mirror[2]}` : (remote?.[1] ?? basename(gitDir));
  const dir = mkdtempSync(join(tmpdir(), `netra-bench-repo-${name.replace('/', '+')}-`));
  const index = join(dir, '..', `${basename(dir)}.index`);
  const r = spawnSync(
    'git',
    [bare ? `--git-dir=${gitDir}` : `--git-dir=${join(gitDir, '.git')}`, `--work-tree=${dir}`, 'checkout', '-f', commit, '--', '.'],
    {
      env: { ...process.env, GIT_INDEX_FILE: index },
      encoding: 'utf8',
    },
  );
  rmSync(index, { force: true });
  // A mirror may lack its largest blobs (images, archives): the tree is measured without them, and says so.
  const absent = [...r.stderr.matchAll(/unable to read sha1 file of (.+) \(/g)].map((m) => m[1]!);
  if (r.status !== 0 && (absent.length === 0 || absent.some((f) => /\.(py|toml|ini|cfg|ya?ml|[cm]?[jt]s)$/.test(f))))
    throw new Error(`checkout of ${name}@${commit}: ${r.stderr}`);
  const files = git('ls-tree', '-r', '--name-only', commit).split('\n');
  return { name, commit, dir, files: files.length, py: files.filter((f) => f.endsWith('.py')).length, absent: absent.length };
}

/** Ruff from the test venv (installed there from the local Python index on first use), or null. */
export function ruffBinary(root: string): { bin: string; version: string } | null {
  const python = join(root, '.cache', 'venv', 'bin', 'python');
  const bin = join(root, '.cache', 'venv', 'bin', 'ruff');
  if (!existsSync(python)) return null;
  if (!existsSync(bin)) spawnSync(python, ['-m', 'pip', 'install', '--retries', '0', '-q', 'ruff']);
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return v.status === 0 ? { bin, version: v.stdout.trim() } : null;
}

export function reposSection(root: string): string {
  const specs = (process.env.BENCH_REPOS ?? '').split(',').filter(Boolean);
  if (specs.length === 0) return 'Skipped: no repositories named (BENCH_REPOS=DIR[@COMMIT],...; see bench/repos.ts).';
  const runs = Number(process.env.BENCH_REPO_RUNS ?? 5);
  const cli = join(root, 'bin', 'netra-migrate.js');
  const old = process.env.BENCH_OLD;
  const ruff = ruffBinary(root);
  const rows: string[] = [];
  const loads: string[] = [load()];
  const unequal: string[] = [];
  for (const spec of specs) {
    const repo = checkout(spec);
    const netra: Timing[] = [];
    const reference: Timing[] = [];
    const before: Timing[] = [];
    for (const cmd of [process.execPath, ruff?.bin]) if (cmd) timed(repo.dir, cmd, cmd === ruff?.bin ? ['--version'] : ['-e', '0']); // warm the file cache
    timed(repo.dir, process.execPath, [cli, 'check', '--format', 'json', '.']);
    for (let i = 0; i < runs; i++) {
      netra.push(timed(repo.dir, process.execPath, [cli, 'check', '--format', 'json', '.']));
      if (ruff) reference.push(timed(repo.dir, ruff.bin, ['check', '--select', 'PT,ASYNC', '--no-cache', '--exit-zero', '--quiet', '.']));
      if (old) before.push(timed(repo.dir, process.execPath, [old, 'check', '--format', 'json', '.']));
    }
    const findings = (JSON.parse(netra[0]!.out) as unknown[]).length;
    let equal = '—';
    if (old) {
      const fixNew = timed(repo.dir, process.execPath, [cli, 'fix', '--unsafe', '.']).out;
      const fixOld = timed(repo.dir, process.execPath, [old, 'fix', '--unsafe', '.']).out;
      const same = netra[0]!.out === before[0]!.out && fixNew === fixOld;
      equal = same ? 'yes' : 'NO';
      if (!same) unequal.push(repo.name);
    }
    const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(1) : '—');
    rows.push(
      `| ${repo.name}@${repo.commit.slice(0, 12)} | ${repo.files.toLocaleString('en')} (${repo.py.toLocaleString('en')} .py${repo.absent ? `; ${repo.absent} binaries absent from the mirror` : ''}) | ${findings} | ` +
        `${med(netra, 's').toFixed(2)} / ${med(netra, 'cpu').toFixed(2)} / ${peak(netra).toFixed(0)} | ` +
        (ruff ? `${med(reference, 's').toFixed(2)} / ${med(reference, 'cpu').toFixed(2)} / ${peak(reference).toFixed(0)} | ` : '— | ') +
        (ruff ? `${ratio(med(netra, 's'), med(reference, 's'))} × / ${ratio(med(netra, 'cpu'), med(reference, 'cpu'))} × | ` : '— | ') +
        (old ? `${med(before, 's').toFixed(2)} / ${med(before, 'cpu').toFixed(2)} / ${peak(before).toFixed(0)} | ${equal} |` : '— | — |'),
    );
    loads.push(load());
    rmSync(repo.dir, { recursive: true, force: true });
  }
  return [
    `Machine: ${machine()}; ${runs} runs of each command per repository, interleaved (netra-migrate, Ruff${old ? ', the older build' : ''}), medians; load average (1, 5, 15 min) ${loads[0]} at the start, ${loads.at(-1)} at the end.`,
    '',
    `| repository@commit | files | findings | netra-migrate \`check --no-cache .\`: wall s / CPU s / MB | ${ruff ? `\`${ruff.version} check --select PT,ASYNC --no-cache\`` : 'Ruff (not installed)'}: wall / CPU / MB | × Ruff: wall / CPU | older build${old ? ` (${old})` : ''}: wall / CPU / MB | findings and fix diff identical |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    unequal.length > 0
      ? `Findings or dry-run diffs DIFFER between the builds on: ${unequal.join(', ')}.`
      : 'CPU is user + sys (Ruff uses both cores; netra-migrate one). Goals: a few hundred files within 3 × Ruff wall (aim 2 ×) and under 80 MB; 5,000-10,000 files within 2 × (aim 1.5 ×) and under 150 MB.',
  ].join('\n');
}

/** Every file's path and bytes under `dir`, hashed: what a fix wrote, to compare two builds. */
function treeDigest(dir: string): string {
  const hash = createHash('sha256');
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else hash.update(p.slice(dir.length)).update('\0').update(readFileSync(p));
    }
  };
  visit(dir);
  return hash.digest('hex');
}

/** A test module of about `lines` lines, dense with fixes: module-scoped async fixtures, scoped asyncio marks, event_loop requests. */
export function bigAsyncModule(lines: number): string {
  const out = ['"""A large async test module."""', 'import asyncio', '', 'import pytest', 'import pytest_asyncio', ''];
  for (let i = 0; out.length < lines; i++) {
    const k = i % 4;
    if (k === 0) out.push('', '@pytest_asyncio.fixture(scope="module")', `async def res${i}():`, `    yield {"i": ${i}}`, '');
    else if (k === 1)
      out.push(
        '',
        '@pytest.mark.asyncio(scope="module")',
        `async def test_a${i}(res${i - 1}):`,
        '    await asyncio.sleep(0)',
        `    assert res${i - 1}["i"] == ${i - 1}`,
        '',
      );
    else if (k === 2)
      out.push(
        '',
        `async def test_loop${i}(event_loop):`,
        '    fut = event_loop.create_future()',
        '    fut.set_result(1)',
        '    assert await fut == 1',
        '',
      );
    else out.push('', '@pytest.mark.parametrize("v", [1, 2, 3])', `def test_s${i}(v):`, '    x = v * 2', '    assert x > 0', '');
  }
  return out.join('\n') + '\n';
}

/** Single large files: `check` and `fix --write --unsafe` on one async test module of 12,500 / 25,000 / 50,000 lines. */
export function largeSection(root: string): string {
  const cli = join(root, 'bin', 'netra-migrate.js');
  const old = process.env.BENCH_OLD;
  const runs = Number(process.env.BENCH_LARGE_RUNS ?? 3);
  const sizes = (process.env.BENCH_LARGE_LINES ?? '12500,25000,50000').split(',').map(Number);
  const startLoad = load();
  const rows: string[] = [];
  let previous: { lines: number; cpu: number } | null = null;
  for (const lines of sizes) {
    const tree = mkdtempSync(join(tmpdir(), `netra-bench-large-${lines}-`));
    mkdirSync(join(tree, 'tests'));
    writeFileSync(join(tree, 'pytest.ini'), '[pytest]\ntestpaths = tests\nasyncio_mode = strict\ntimeout = 60\n');
    const text = bigAsyncModule(lines);
    writeFileSync(join(tree, 'tests', 'test_big.py'), text);
    const check: Timing[] = [];
    const write: Timing[] = [];
    const writeOld: Timing[] = [];
    const fresh = () => {
      rmSync(join(tree, 'work'), { recursive: true, force: true });
      mkdirSync(join(tree, 'work', 'tests'), { recursive: true });
      writeFileSync(join(tree, 'work', 'pytest.ini'), '[pytest]\ntestpaths = tests\nasyncio_mode = strict\ntimeout = 60\n');
      writeFileSync(join(tree, 'work', 'tests', 'test_big.py'), text);
      return join(tree, 'work');
    };
    for (let i = 0; i < runs; i++) {
      check.push(timed(join(tree), process.execPath, [cli, 'check', '--format', 'json', 'tests']));
      const w = fresh();
      write.push(timed(w, process.execPath, [cli, 'fix', '--write', '--unsafe', '.']));
      const fixedNew = treeDigest(w);
      if (old && i === 0) {
        const o = fresh();
        writeOld.push(timed(o, process.execPath, [old, 'fix', '--write', '--unsafe', '.']));
        if (treeDigest(o) !== fixedNew) throw new Error(`${lines} lines: the older build wrote other bytes`);
      }
    }
    const findings = (JSON.parse(check[0]!.out) as unknown[]).length;
    const cpu = med(write, 'cpu');
    const growth = previous ? (cpu / previous.cpu / (lines / previous.lines)).toFixed(2) : '—';
    rows.push(
      `| ${lines.toLocaleString('en')} (${(text.length / 1e6).toFixed(1)} MB) | ${findings} | ${med(check, 's').toFixed(2)} / ${med(check, 'cpu').toFixed(2)} / ${peak(check).toFixed(0)} | ` +
        `${med(write, 's').toFixed(2)} / ${cpu.toFixed(2)} / ${peak(write).toFixed(0)} | ${growth} | ` +
        (old
          ? `${writeOld[0]!.s.toFixed(2)} / ${writeOld[0]!.cpu.toFixed(2)} / ${writeOld[0]!.mb.toFixed(0)} (same bytes written) |`
          : '— |'),
    );
    previous = { lines, cpu };
    rmSync(tree, { recursive: true, force: true });
  }
  return [
    `One async test module with a fix every 5-6 lines; medians of ${runs} runs. Machine: ${machine()}, load average ${startLoad} at the start, ${load()} at the end.`,
    '',
    `| lines | findings | \`check\`: wall s / CPU s / MB | \`fix --write --unsafe\`: wall s / CPU s / MB | fix CPU growth (1.00 = linear) | older build${old ? ` (${old}, 1 run)` : ''}: fix wall / CPU / MB |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'Goal: a 50,000-line test module fixed in under 5 s.',
  ].join('\n');
}
