/**
 * The options of the CLI's commands, declared once: yargs reads them (cli.ts), and so does the quick reader
 * of plain check/fix lines (cli-args.ts); test/startup.test.ts compares the two readings.
 */
import { CACHE_DIR } from './core/cache.js';
import { reporters, type ReporterName } from './reporters/index.js';
import { PROFILES } from './runners/pytest/profiles.js';
import { PRESETS } from './core/rule.js';

const formats = Object.keys(reporters) as ReporterName[];

export const ruleOption = {
  type: 'string',
  array: true,
  // One value per flag (repeat the flag for more): an array option would otherwise take the paths after it.
  nargs: 1,
  describe: 'Rule setting, ESLint style: \'id:off\', \'id:["warn", {"option": value}]\' or a JSON object; repeatable',
} as const;

export const presetOption = {
  choices: PRESETS,
  describe:
    "Rule levels to start from (default: the tool config's `preset`, else recommended); strict also fails on several roots, suite-wide event loops, no timeout and no memory limit. --rule applies on top",
} as const;

export const checkPaths = {
  type: 'string',
  array: true,
  default: ['.'],
  describe: 'Files and directories (a file with another name is read as `pytest -c FILE`)',
} as const;

export const fixPaths = { type: 'string', array: true, default: ['.'] } as const;

const pythonOption = {
  type: 'string',
  describe:
    "Python interpreter of the test environment: its installed pytest plugins are read (importlib.metadata, nothing imported); default: the project's .venv/ or venv/",
} as const;

export const checkOptions = {
  format: { alias: 'f', choices: formats, default: 'stylish' as ReporterName, describe: 'Output format' },
  'max-warnings': { type: 'number', default: -1, describe: 'Exit 1 when there are more warnings than this' },
  preset: presetOption,
  rule: ruleOption,
  'show-files': {
    type: 'boolean',
    default: false,
    describe: 'List every file the run read and why, and the trees it skips (templates), instead of the findings',
  },
  cache: {
    type: 'boolean',
    default: true,
    describe: `Reuse ${CACHE_DIR}/ from an earlier run for what did not change (--no-cache: start afresh)`,
  },
  stats: {
    type: 'boolean',
    default: false,
    describe: 'Also print findings per rule and time per analyzer and rule (on stderr)',
  },
  python: pythonOption,
  measurement: {
    type: 'string',
    describe: `A measurement saved by \`measure --save\` for single-test-root to cite (default: the nearest ${CACHE_DIR}/measurement.json)`,
  },
} as const;

export const fixOptions = {
  write: {
    alias: 'w',
    type: 'boolean',
    default: false,
    describe: 'Write the fixed files (safe fixes only, unless --unsafe)',
  },
  unsafe: { type: 'boolean', default: false, describe: 'Also apply fixes that change which tests run or how' },
  profile: {
    type: 'string',
    array: true,
    choices: PROFILES,
    nargs: 1,
    describe:
      'Also generate pytest-<profile>.ini next to each pytest config, from its fixed text (docker: tighter limits; collection: collect only)',
  },
  format: {
    alias: 'f',
    choices: formats,
    default: 'stylish' as ReporterName,
    describe: 'Format of the findings left after fixing (--write)',
  },
  preset: presetOption,
  rule: ruleOption,
  python: pythonOption,
} as const;

export const globalOptions = {
  ignore: {
    type: 'boolean',
    default: true,
    describe: 'Leave out what .gitignore, .ignore and .git/info/exclude ignore (--no-ignore reads everything)',
  },
  color: { type: 'boolean', describe: 'Colour the output (default: on a terminal; NO_COLOR turns it off, FORCE_COLOR on)' },
} as const;

/** `measure`: runs the project's collection (its own code), unlike check and fix. */
export const measureOptions = {
  python: {
    type: 'string',
    describe: "Python interpreter to collect with (default: the project's .venv/ or venv/, else python3)",
  },
  timeout: { type: 'number', default: 300, describe: 'Stop a run (its whole process group) after this many seconds' },
  'memory-limit': {
    type: 'number',
    describe: "Stop a run over this many MB (default: the config's collection_memory_limit_mb, else 80% of memory)",
  },
  'after-fix': {
    type: 'boolean',
    default: false,
    describe: 'Also apply the fixes to a temporary copy and measure it again, shown side by side',
  },
  unsafe: { type: 'boolean', default: false, describe: 'With --after-fix: apply the unsafe fixes too (one test root)' },
  rule: { ...ruleOption, describe: "With --after-fix: rule settings for the fix, as check's --rule (e.g. which root to keep)" },
  format: { alias: 'f', choices: ['table', 'json', 'markdown'] as const, default: 'table' as const, describe: 'Output format' },
  html: { type: 'string', describe: 'Also write a self-contained page with bar charts to this file' },
  save: {
    type: 'boolean',
    default: false,
    describe: `Save the measurement to ${CACHE_DIR}/measurement.json, where single-test-root cites it`,
  },
  measurement: { type: 'string', describe: 'Save the measurement to this file instead' },
} as const;
