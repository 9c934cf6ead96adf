/**
 * The `measure` command's handler, loaded only when `measure` runs (check's start-up never pays for it).
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CACHE_DIR } from '../core/cache.js';
import { formatProblem } from '../reporters/index.js';
import { measureHtml } from '../reporters/measure-html.js';
import { measureJson } from '../reporters/measure-json.js';
import { measureMarkdown } from '../reporters/measure-markdown.js';
import { measureTable } from '../reporters/measure-table.js';
import { oneLine, relativePath } from '../reporters/paths.js';
import { MEASUREMENT_FILE } from '../runners/pytest/measurement.js';
import type { RuleSettings } from '../core/settings.js';
import { measure } from './index.js';

export const MEASURE_FORMATS = ['table', 'json', 'markdown'] as const;

export interface MeasureArgs {
  paths: string[];
  python?: string;
  timeout: number;
  'memory-limit'?: number;
  'after-fix': boolean;
  unsafe: boolean;
  format: (typeof MEASURE_FORMATS)[number];
  html?: string;
  save: boolean;
  measurement?: string;
  ignore: boolean;
}

/** A mistake in the command line: the CLI prints its message and exits 2. */
class UsageError extends Error {
  override name = 'UsageError';
}

/** Written beside its final name, then renamed: a reader never sees half a file. */
function writeAtomic(file: string, text: string): void {
  const tmp = join(dirname(file), `.${process.pid}.${Date.now()}.netra-tmp`);
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
}

/** Runs `measure`; returns the exit code: 0 measured, 1 a run failed or was stopped, 2 unreadable input or usage. */
export async function runMeasure(argv: MeasureArgs, cwd: string, rules: RuleSettings = {}): Promise<number> {
  if (!(argv.timeout > 0)) throw new UsageError(`--timeout must be a number of seconds above 0 (got ${argv.timeout})`);
  const limit = argv['memory-limit'];
  if (limit !== undefined && !(limit > 0)) throw new UsageError(`--memory-limit must be a number of MB above 0 (got ${limit})`);
  const progress = process.stderr.isTTY === true;
  const { measurement, problems, notes } = await measure({
    cwd,
    paths: argv.paths,
    python: argv.python === undefined ? undefined : argv.python.includes('/') ? resolve(cwd, argv.python) : argv.python,
    timeoutMs: argv.timeout * 1000,
    memoryLimitMb: limit ?? null,
    afterFix: argv['after-fix'],
    unsafe: argv.unsafe,
    rules,
    ...(argv.ignore === false ? { ignoreFiles: false as const } : {}),
    onRun: (what) => {
      if (progress) process.stderr.write(`\r\x1b[Knetra-migrate: measuring ${oneLine(what)}`);
      else if (argv.format === 'table') process.stderr.write(`measuring ${oneLine(what)}\n`);
    },
  });
  if (progress) process.stderr.write('\r\x1b[K');
  for (const p of problems) process.stderr.write(formatProblem(cwd, p, relativePath));
  for (const note of notes) process.stderr.write(`note: ${oneLine(note)}\n`);
  const render = { table: measureTable, json: measureJson, markdown: measureMarkdown }[argv.format];
  process.stdout.write(render(measurement));
  if (argv.html) {
    const file = resolve(cwd, argv.html);
    writeAtomic(file, measureHtml(measurement));
    process.stderr.write(`wrote ${relativePath(cwd, file)}\n`);
  }
  if (argv.save || argv.measurement) {
    const file = resolve(cwd, argv.measurement ?? MEASUREMENT_FILE);
    if (!argv.measurement) {
      const dir = join(cwd, CACHE_DIR);
      mkdirSync(dir, { recursive: true });
      if (!existsSync(join(dir, '.gitignore'))) writeFileSync(join(dir, '.gitignore'), '# Created by netra-migrate\n*\n');
    }
    writeAtomic(file, JSON.stringify(measurement, null, 2) + '\n');
    process.stderr.write(`saved the measurement to ${relativePath(cwd, file)}\n`);
  }
  if (problems.length > 0) return 2;
  const runs = measurement.configs.flatMap((c) => [...c.roots, c.all, ...(c.after ? [...c.after.roots, c.after.all] : [])]);
  return runs.some((r) => r.error !== null) ? 1 : 0;
}
