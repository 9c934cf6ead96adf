/**
 * netra-migrate: check and fix test-runner configs. Exit codes follow ESLint and Ruff: 0 clean, 1 findings
 * (errors, or a diff from a dry-run fix), 2 usage, config, read or parse errors.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, fix } from './index.js';
import { printConfig } from './print-config.js';
import { describeReads, formatStats } from './reporters/run-info.js';
import { allRules } from './rules.js';
import { formatProblem, reporters, type ReporterName } from './reporters/index.js';
import { escapeControls, jsonText, oneLine, relativePath } from './reporters/paths.js';
import type { CheckResult } from './core/engine.js';
import type { FileProblem, LocatedDiagnostic } from './core/diagnostic.js';

/** The rule id under which unreadable and unparsable files appear in json, sarif and compact output. */
const PARSE_ERROR = 'parse-error';
import { explainRule, listRules } from './rule-docs.js';
import { PROFILES } from './runners/pytest/profiles.js';
import { forbiddenKey, parseRuleFlag, settingsErrors, type RuleSettings } from './core/settings.js';
import { stderrProgress, useColor } from './terminal.js';
import { CACHE_DIR } from './core/cache.js';
import { removeLiveTemps, whenWritesSettle } from './core/fs.js';
import { quickParse } from './cli-args.js';
import { chooseWasmTier } from './formats/python.js';
import { checkOptions, checkPaths, fixOptions, fixPaths, globalOptions, measureOptions, presetOption, ruleOption } from './cli-options.js';
import { DEFAULT_PRESET, presetSeverity, type PresetName } from './core/rule.js';

/** `--rule` values merged in order; a mistake is a usage error (exit 2) naming the rule. */
async function ruleSettings(values: readonly string[] | undefined): Promise<RuleSettings> {
  const settings: Record<string, unknown> = {};
  for (const value of values ?? []) {
    let parsed: Record<string, unknown>;
    try {
      parsed = parseRuleFlag(value);
    } catch (e) {
      throw new UsageError(`--rule ${JSON.stringify(value)}: ${(e as Error).message}`);
    }
    // Checked before merging: assigning a "__proto__" key would replace the settings' prototype.
    const forbidden = forbiddenKey(parsed);
    if (forbidden !== null)
      throw new UsageError(`--rule ${JSON.stringify(value)}: "${forbidden.split('.').pop()}" is not allowed as a key (at ${forbidden})`);
    Object.assign(settings, parsed);
  }
  const errors = await settingsErrors(settings, allRules);
  if (errors.length > 0) throw new UsageError(errors.map((e) => `--rule: ${e}`).join('\n'));
  return settings as RuleSettings;
}

class UsageError extends Error {}

/**
 * A reader that went away (`check . | head -1`, `| true`) is no error of the run: its output has nowhere to
 * go, so later writes are dropped (a destroyed stream reports each one), the run finishes what it does (a
 * `fix --write` is never cut short between two files) and exits with its own code, without a word.
 */
function ignoreClosedOutput(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}
ignoreClosedOutput(process.stdout);
ignoreClosedOutput(process.stderr);

/**
 * SIGINT and SIGTERM wait for the writes under way (a file is written synchronously, and `fix --write`'s
 * batches finish before the handler acts: see whenWritesSettle), remove any temporary file still there, then
 * end the process by the same signal.
 */
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () =>
    whenWritesSettle(() => {
      removeLiveTemps();
      process.kill(process.pid, signal);
    }),
  );

const cwd = process.cwd();

/**
 * yargs looks for a package.json (to guess a version) upward from the directory it was loaded from, which
 * for a bundle is the working directory: the user's package.json, read with a plain readFileSync (a FIFO
 * there would hang the run, /dev/zero fill memory). Loaded from the tool's own directory, it reads ours.
 */
async function loadYargs() {
  process.chdir(join(dirname(fileURLToPath(import.meta.url)), '..'));
  try {
    const [{ default: yargs }, { hideBin }] = await Promise.all([import('yargs'), import('yargs/helpers')]);
    return { yargs, hideBin };
  } finally {
    process.chdir(cwd);
  }
}
let color = false;

/** Options every command that reads files shares: the walk, colour, and the progress line. */
function runOptions(argv: { ignore?: boolean; color?: boolean; format?: ReporterName }) {
  color = useColor(argv.color, process.env, process.stdout.isTTY === true);
  // Progress only for a person at a terminal: never piped, never in a machine format.
  const interactive = process.stderr.isTTY === true && process.stdout.isTTY === true && (argv.format ?? 'stylish') === 'stylish';
  // NETRA_PROGRESS_DELAY_MS: how long a run goes before the line appears (tests set 0; default 1 s).
  const progress = interactive ? stderrProgress(process.stderr, Number(process.env.NETRA_PROGRESS_DELAY_MS ?? 1000)) : undefined;
  return {
    progress,
    options: {
      cwd,
      ...(argv.ignore === false ? { ignoreFiles: false as const } : {}),
      ...(progress ? { onProgress: progress.update } : {}),
    },
  };
}

declare const __NETRA_VERSION__: string | undefined;

/** Inlined by the bundler; read from package.json when run from source (tests, tsx). */
function version(): string {
  if (typeof __NETRA_VERSION__ === 'string') return __NETRA_VERSION__;
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

function printProblems(result: Pick<CheckResult, 'problems' | 'notes'>): void {
  for (const note of result.notes ?? [])
    process.stderr.write(
      note.file === undefined
        ? `netra-migrate: note: ${oneLine(note.message)}\n`
        : `netra-migrate: ${oneLine(relativePath(cwd, note.file))}: ${oneLine(note.message)}\n`,
    );
  for (const p of result.problems) process.stderr.write(formatProblem(cwd, p, relativePath));
}

function report(result: CheckResult, format: ReporterName): void {
  const preset = result.preset ?? DEFAULT_PRESET;
  const fixable = {
    safe: result.diagnostics.filter((d) => d.fix?.applicability === 'safe').length,
    unsafe: result.diagnostics.filter((d) => d.fix?.applicability === 'unsafe').length,
  };
  const tool = {
    version: version(),
    rules: [
      ...allRules.map((r) => ({
        id: r.meta.id,
        description: r.meta.description,
        severity: presetSeverity(r.meta.severity, preset),
        fix: r.meta.fix,
        docs: r.meta.docs,
      })),
      {
        id: PARSE_ERROR,
        description: 'A file netra-migrate could not read or parse',
        severity: 'error' as const,
        fix: 'none',
        docs: {
          what: 'A config or source file that could not be read (not a regular file, too big, not UTF-8) or parsed.',
          why: 'Its findings are unknown and it is never written; the run exits 2.',
          fixSafety: 'No fix: correct the file.',
        },
      },
    ],
  };
  // A file that could not be read or parsed is a finding too (`parse-error`), so editors and code scanning
  // show it; stylish leaves it to the stderr line printed above, github prints problems itself.
  const asFindings = format === 'stylish' || format === 'github' ? [] : result.problems.map(parseErrorFinding);
  const diagnostics = [...asFindings, ...result.diagnostics];
  process.stdout.write(reporters[format]({ diagnostics, problems: result.problems, cwd, color, fixable, tool }));
}

function parseErrorFinding(p: FileProblem): LocatedDiagnostic {
  const line = p.line ?? 1;
  const column = p.column ?? 1;
  return {
    file: p.file,
    start: 0,
    end: 0,
    line,
    column,
    endLine: line,
    endColumn: column,
    rule: PARSE_ERROR,
    severity: 'error',
    message: p.message,
  };
}

function exitCode(result: CheckResult, maxWarnings: number): number {
  if (result.problems.length > 0) return 2;
  if (result.diagnostics.some((d) => d.severity === 'error')) return 1;
  if (maxWarnings >= 0 && result.diagnostics.filter((d) => d.severity === 'warning').length > maxWarnings) return 1;
  return 0;
}

/** `--python` relative to the working directory, as a user types it. */
const pythonPath = (p: string | undefined) => (p === undefined ? undefined : p.includes('/') || p.includes('\\') ? resolve(cwd, p) : p);

interface GlobalArgs {
  ignore: boolean;
  color?: boolean;
}

interface CheckArgs extends GlobalArgs {
  paths: string[];
  format: ReporterName;
  'max-warnings': number;
  preset?: PresetName;
  rule?: string[];
  'show-files': boolean;
  cache: boolean;
  stats: boolean;
  python?: string;
  measurement?: string;
}

interface FixArgs extends GlobalArgs {
  paths: string[];
  write: boolean;
  unsafe: boolean;
  profile?: (typeof PROFILES)[number][];
  format: ReporterName;
  preset?: PresetName;
  rule?: string[];
  python?: string;
}

async function runCheck(argv: CheckArgs): Promise<void> {
  const started = performance.now();
  chooseWasmTier();
  const { options, progress } = runOptions(argv);
  // --show-files and --stats describe this run's own reading, so they never replay a cached one.
  // NETRA_MIGRATE_NO_CACHE=1 is --no-cache for environments that cannot pass flags (like RUFF_NO_CACHE).
  // Without the cache a run still refreshes an existing one (never creates one), so a later plain run does
  // not replay what this one found stale.
  const noCache = !argv.cache || ['1', 'true'].includes(process.env.NETRA_MIGRATE_NO_CACHE ?? '');
  const cache = !argv['show-files'] && !argv.stats ? join(cwd, CACHE_DIR) : false;
  const result = await check({
    ...options,
    cache,
    ...(noCache ? { refreshCache: true } : {}),
    paths: argv.paths,
    ...(argv.preset ? { preset: argv.preset } : {}),
    rules: await ruleSettings(argv.rule),
    python: pythonPath(argv.python),
    ...(argv.measurement === undefined ? {} : { measurement: resolve(cwd, argv.measurement) }),
  });
  progress?.end();
  printProblems(result);
  if (argv['show-files']) {
    process.stdout.write(describeReads(cwd, result.reads ?? []));
    for (const { dir, reason } of result.skipped ?? []) process.stdout.write(`${oneLine(relativePath(cwd, dir))}/ skipped: ${reason}\n`);
    process.exitCode = result.problems.length > 0 ? 2 : 0;
    return;
  }
  report(result, argv.format);
  if (argv.stats) process.stderr.write(formatStats(result, performance.now() - started));
  process.exitCode = exitCode(result, argv['max-warnings']);
}

async function runFix(argv: FixArgs): Promise<void> {
  chooseWasmTier();
  const { options, progress } = runOptions(argv);
  const result = await fix({
    ...options,
    paths: argv.paths,
    write: argv.write,
    unsafe: argv.unsafe,
    ...(argv.preset ? { preset: argv.preset } : {}),
    rules: await ruleSettings(argv.rule),
    profiles: argv.profile ?? [],
    python: pythonPath(argv.python),
  });
  progress?.end();
  printProblems(result);
  const heldBack =
    result.heldBackUnsafe > 0
      ? `; ${result.heldBackUnsafe} unsafe fix${result.heldBackUnsafe === 1 ? '' : 'es'} held back (use --unsafe)`
      : '';
  if (!argv.write) {
    const { createTwoFilesPatch } = await import('diff');
    const broken = new Set(result.problems.map((p) => p.file));
    for (const c of result.changes) {
      // A fixed text that does not parse is reported above, never shown as a change to make.
      if (broken.has(c.file)) continue;
      const name = oneLine(relativePath(cwd, c.file));
      const from = c.created ? '/dev/null' : `a/${name}`;
      process.stdout.write(
        createTwoFilesPatch(from, `b/${name}`, c.before, c.after, undefined, undefined, { context: 3 }).replace(/^=+\n/, ''),
      );
    }
    process.stderr.write(
      `${result.changes.length} file${result.changes.length === 1 ? '' : 's'} would change (${result.appliedFixes} fix${result.appliedFixes === 1 ? '' : 'es'})${heldBack}\n`,
    );
    process.exitCode = result.problems.length > 0 ? 2 : result.changes.length > 0 ? 1 : 0;
    return;
  }
  // Say exactly what was written and what was not: one broken file holds back only what depends on it.
  for (const { file, reason } of result.notWritten)
    process.stderr.write(`${oneLine(relativePath(cwd, file))}: not written: ${oneLine(reason)}\n`);
  const plural = (n: number) => `${n} file${n === 1 ? '' : 's'}`;
  if (result.written && result.notWritten.length === 0) {
    process.stderr.write(
      `fixed ${result.appliedFixes} problem${result.appliedFixes === 1 ? '' : 's'} in ${plural(result.writtenFiles.length)}${heldBack}\n`,
    );
  } else if (result.written) {
    process.stderr.write(
      `wrote ${plural(result.writtenFiles.length)} (${result.writtenFiles.map((f) => oneLine(relativePath(cwd, f))).join(', ')}); ${plural(result.notWritten.length)} not written${heldBack}\n`,
    );
  } else if (result.notWritten.length > 0) {
    process.stderr.write(`nothing written; ${plural(result.notWritten.length)} not written${heldBack}\n`);
  } else if (result.problems.length === 0) {
    process.stderr.write(`nothing to fix${heldBack}\n`);
  }
  report(result, argv.format);
  process.exitCode = exitCode(result, -1);
}

/** A command's handler failed: a usage error is the user's (its message), anything else an internal error. */
function handlerFailed(error: unknown): never {
  if (error instanceof UsageError || (error instanceof Error && error.name === 'UsageError')) {
    process.stderr.write(`netra-migrate: ${escapeControls(error.message, '\n')}\n`);
    process.exit(2);
  }
  const e = error as Error;
  process.stderr.write(`netra-migrate: internal error: ${e.stack ?? e.message}\n`);
  process.exit(2);
}

/** `netra-migrate server [--stdio]`: the language server, a chunk of its own that check and fix never load. */
async function runServer(): Promise<void> {
  const { startServer } = await import('./server/index.js');
  startServer();
}

// The plain check/fix lines a hook runs, read without loading yargs; every other line goes to yargs.
const quick = quickParse(process.argv.slice(2), { check: checkOptions, fix: fixOptions }, globalOptions);
// Editors start `server --stdio` (vscode-languageclient adds more transport flags): no yargs on that path.
if (process.argv[2] === 'server') await runServer();
else if (quick) {
  try {
    if (quick.command === 'check') await runCheck(quick.argv as unknown as CheckArgs);
    else await runFix(quick.argv as unknown as FixArgs);
  } catch (error) {
    handlerFailed(error);
  }
} else await runYargs();

async function runYargs(): Promise<void> {
  const { yargs, hideBin } = await loadYargs();
  const cli = yargs(hideBin(process.argv));
  // After starting a command's handler, yargs lays out the whole help text (~15% of a one-file run) to show it
  // if the handler fails later; the fail handler below never shows help for a handler's error (a usage error or
  // an internal one), so that text is never used. Help for --help and for argument errors is built as before.
  const usage = (cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } })
    .getInternalMethods?.()
    .getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => {};

  await cli
    .scriptName('netra-migrate')
    .usage('$0 <command> [paths..]\n\nFind and fix the test-runner configs that eat CI machines.')
    .command(
      'check [paths..]',
      'Report findings (exit 1 if any error)',
      (y) =>
        y
          .positional('paths', checkPaths)
          .options(checkOptions)
          .example('$0 check', 'Check the pytest config governing this directory and every config below it')
          .example('$0 check pytest-docker.ini', 'Check a profile as `pytest -c pytest-docker.ini` reads it')
          .example('$0 check --format compact', 'One line per finding, for the $eslint-compact problem matcher'),
      (argv) => runCheck(argv as unknown as CheckArgs),
    )
    .command(
      'fix [paths..]',
      'Show the fixes as a diff (exit 1 if there is one); --write applies them',
      (y) =>
        y
          .positional('paths', fixPaths)
          .options(fixOptions)
          .example('$0 fix', 'Print what the safe fixes would change')
          .example('$0 fix --write --unsafe', 'Apply every fix, including those that change which tests run')
          .example('$0 fix --write --profile docker', 'Also write pytest-docker.ini, derived from the fixed pytest config'),
      (argv) => runFix(argv as unknown as FixArgs),
    )
    .command(
      'measure [paths..]',
      "Measure each test root's collection time and peak memory (runs the project's own code)",
      (y) =>
        y
          .positional('paths', fixPaths)
          .options(measureOptions)
          .epilog(
            "measure runs the project's own code: collecting tests imports the test modules and conftest.py files (check and fix never run anything). Each run has its own process group, a timeout and a memory limit; nothing is written into the project but the --html file (and, with --save, .netra-migrate-cache/measurement.json).",
          )
          .example('$0 measure', 'Collect each test root alone, then all together: tests, seconds, peak MB')
          .example('$0 measure --after-fix --unsafe --html measure.html', 'Also measure a fixed copy; write a page with charts')
          .example('$0 measure --save', 'Keep the numbers for single-test-root to cite'),
      async (argv) => {
        const { runMeasure } = await import('./measure/cli.js');
        const rules = await ruleSettings(argv.rule);
        process.exitCode = await runMeasure(argv as unknown as Parameters<typeof runMeasure>[0], cwd, rules);
      },
    )
    .command(
      'print-config <path>',
      'Print, as JSON, what governs a file: the runner config, the tool config and every rule setting',
      (y) =>
        y
          .positional('path', { type: 'string', demandOption: true })
          .option('preset', presetOption)
          .option('rule', ruleOption)
          .example(
            '$0 print-config tests/test_api.py',
            'The pytest config pytest would use for it, its values as pytest types them, and the rule settings',
          ),
      async (argv) => {
        const { config, problems } = await printConfig({
          cwd,
          path: argv.path,
          ...(argv.preset ? { preset: argv.preset } : {}),
          rules: await ruleSettings(argv.rule),
        });
        printProblems({ problems });
        process.stdout.write(jsonText(config) + '\n');
        process.exitCode = problems.length > 0 ? 2 : 0;
      },
    )
    .command(
      'server',
      'Start the language server (LSP over stdio) for editors',
      (y) =>
        y
          .option('stdio', { type: 'boolean', describe: 'Speak LSP on stdin/stdout (the default; editors pass it)' })
          .example('$0 server', 'Diagnostics, quick fixes and fix-all on unsaved buffers, for VS Code, Neovim, Helix'),
      () => runServer(),
    )
    .command(
      'rules',
      'List the rules',
      (y) => y.example('$0 rules', 'Every rule with its runners, its level under each preset and its fix safety'),
      () => {
        process.stdout.write(listRules(allRules));
      },
    )
    .command(
      'explain <rule>',
      "Print a rule's documentation",
      (y) =>
        y
          .positional('rule', { type: 'string', demandOption: true })
          .example('$0 explain function-loop-scope', 'What it does, why, an example and its fix safety'),
      (argv) => {
        const text = explainRule(allRules, argv.rule);
        if (text === null) {
          process.stderr.write(`unknown rule: ${argv.rule} (see \`netra-migrate rules\`)\n`);
          process.exitCode = 2;
          return;
        }
        process.stdout.write(text);
      },
    )
    .options(globalOptions)
    .demandCommand(1, 'Name a command: check, fix, measure, print-config, server, rules or explain.')
    .strict()
    .version(version())
    .help()
    // Wrapping help to the terminal costs a few ms: only --help pays for it.
    .wrap(process.argv.includes('--help') || process.argv.includes('-h') ? Math.min(110, process.stdout.columns ?? 100) : null)
    .fail((message, error, y) => {
      if (error) handlerFailed(error);
      // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- in a fail handler yargs' help() returns the help text (its types say Argv)
      process.stderr.write(`${y.help()}\n\n${escapeControls(message, '\n')}\n`);
      process.exit(2);
    })
    .parseAsync()
    .catch((error: unknown) => {
      process.stderr.write(`netra-migrate: internal error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 2;
    });
}
