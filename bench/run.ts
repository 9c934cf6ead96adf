/**
 * npm run bench: start-up cost of a pre-commit style run, `check pytest.ini`, side by side with bare
 * `node -e 0` in the same run, interleaved so machine noise hits both alike. Prints a table; with --save,
 * also writes bench/RESULTS.md. Never used as a timed assertion in tests.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 30);
const work = mkdtempSync(join(tmpdir(), 'netra-bench-'));
cpSync(join(root, 'fixtures', 'netra-core'), work, { recursive: true });

// Peak RSS of each child, written at exit by a preloaded hook.
const rssHook = join(work, 'rss-hook.cjs');
writeFileSync(rssHook, "process.on('exit', () => require('fs').writeFileSync(process.env.NETRA_RSS_FILE, String(process.resourceUsage().maxRSS)));\n");

interface Sample {
  ms: number;
  rssKb: number;
}

function measure(args: string[]): Sample {
  const rssFile = join(work, `rss-${Math.random().toString(36).slice(2)}`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: work, env: { ...process.env, NODE_OPTIONS: `--require ${rssHook}`, NETRA_RSS_FILE: rssFile, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, rssKb: Number(readFileSync(rssFile, 'utf8')) };
}

const cases: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['netra-migrate check pytest.ini', [join(root, 'bin', 'netra-migrate.js'), 'check', 'pytest.ini']],
  ['netra-migrate check . (sample tree)', [join(root, 'bin', 'netra-migrate.js'), 'check', '.']],
  ['netra-migrate fix pytest.ini (dry run)', [join(root, 'bin', 'netra-migrate.js'), 'fix', '--unsafe', 'pytest.ini']],
];

const samples = new Map<string, Sample[]>(cases.map(([name]) => [name, []]));
for (const [, args] of cases) measure(args); // warm the file cache
for (let i = 0; i < runs; i++) for (const [name, args] of cases) samples.get(name)!.push(measure(args));

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const base = pct(samples.get('node -e 0')!.map((s) => s.ms), 0.5);
const rows = cases.map(([name]) => {
  const s = samples.get(name)!;
  const median = pct(s.map((x) => x.ms), 0.5);
  return { name, median, p90: pct(s.map((x) => x.ms), 0.9), rss: Math.max(...s.map((x) => x.rssKb)) / 1024, ratio: median / base };
});

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const table = [
  `Machine: ${machine}; ${runs} runs each, interleaved.`,
  '',
  '| command | median ms | p90 ms | peak RSS MB | × node -e 0 |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.name} | ${r.median.toFixed(1)} | ${r.p90.toFixed(1)} | ${r.rss.toFixed(1)} | ${r.ratio.toFixed(2)} |`),
  '',
  'Goal for one config in pre-commit: at most 2.5 × bare node start-up.',
].join('\n');
process.stdout.write(table + '\n');
if (process.argv.includes('--save')) writeFileSync(join(root, 'bench', 'RESULTS.md'), `# Benchmark results\n\n${table}\n`);
