/**
 * pytest command lines as CI steps, Compose services, tox, nox, Makefiles and scripts write them: which
 * simple command runs pytest (directly, `python -m pytest`, through `uv run`, `poetry run`, `coverage run -m`,
 * `docker compose run SERVICE`, ...), and what its arguments select. Flag arity comes from the generated
 * registries (pytest, the plugins with schemas, and the plugin registry), read as pytest's argparse reads
 * it: `--opt=value`, `--opt value` for options that take one, an optional value taken when the next word
 * is not an option, bundled short options (`-xk expr`, `-n4`), `--` ending options.
 *
 * A flag no registry knows (a plugin the registry lacks, a conftest option) may or may not take the next
 * word: that word is `ambiguous` and is never counted as a test path, so guessing never makes a finding.
 */
import { basename } from 'node:path';
import { pytestPlugins } from '../../generated/pytest-plugins.js';
import type { ShellWord } from '../../formats/shell.js';
import { flagSpec } from '../pytest/schema.js';
import { valuesTaken, type FlagSpec } from '../pytest/schema-types.js';

type Arity = Pick<FlagSpec, 'value' | 'nargs'>;
// Indexed on first use, not at load: most runs never read a command line.
let registryFlags: Map<string, Arity> | undefined;
function registryFlag(name: string): Arity | undefined {
  if (!registryFlags) {
    registryFlags = new Map();
    for (const plugin of pytestPlugins)
      for (const flag of plugin.flags) for (const n of flag.names) if (!registryFlags.has(n)) registryFlags.set(n, flag);
  }
  return registryFlags.get(name);
}

/**
 * Whether a pytest flag takes a value (and how many), from the generated registries and the flags the
 * governing config's conftest.py and local plugins register (`local`); undefined when nothing knows it.
 */
export function flagArity(name: string, local?: ReadonlyMap<string, Arity>): Arity | undefined {
  return flagSpec(name) ?? local?.get(name) ?? registryFlag(name);
}

/** Where pytest runs inside a container started by the command, and where `-e` flags can go. */
export interface ContainerRun {
  kind: 'compose run' | 'compose exec' | 'docker run';
  /** The Compose service or the image. */
  target: string;
  /** `-f FILE` given to Compose, in order. */
  composeFiles: string[];
  /** `-e NAME[=VALUE]` names already passed. */
  envNames: Set<string>;
  /** The `run`/`exec` word: `-e` flags go right after it. */
  verb: ShellWord;
}

export interface PytestRun {
  /** The words after `pytest` (or `-m pytest`). */
  args: ShellWord[];
  /** The word that names pytest. */
  at: ShellWord;
  container: ContainerRun | null;
}

const ASSIGNMENT = /^[A-Za-z_]\w*=/;
/** Commands that run the rest of their words as a command (after their own options). */
const PASS_THROUGH = new Set([
  'env',
  'exec',
  'time',
  'nice',
  'nohup',
  'sudo',
  'command',
  'xvfb-run',
  'timeout',
  'catchsegv',
  'stdbuf',
  'taskset',
]);
/** Their options that take a value (`env -u NAME`, `timeout -s KILL`, `nice -n 5`, `xvfb-run -s ARGS`). */
const PASS_THROUGH_VALUE_OPTIONS = new Set([
  '-u',
  '--unset',
  '-C',
  '--chdir',
  '-n',
  '--adjustment',
  '-s',
  '--signal',
  '-k',
  '--kill-after',
  '-e',
  '--server-args',
  '-f',
  '--auth-file',
  '-p',
  '--xauth-protocol',
]);
/** `X run CMD ...` runners of a project environment. */
const ENV_RUNNERS = new Set(['poetry', 'pdm', 'pipenv', 'hatch', 'rye', 'uv', 'pixi']);
/** Options of `uv run`/`uvx` and friends that take a value (the rest are read as switches). */
const RUNNER_VALUE_OPTIONS = new Set([
  '--with',
  '--with-editable',
  '--with-requirements',
  '--extra',
  '--group',
  '--only-group',
  '--no-group',
  '--python',
  '-p',
  '--package',
  '--env-file',
  '--directory',
  '--project',
  '--index',
  '--index-url',
  '--extra-index-url',
  '--from',
  '-e',
  '--env',
  '--environment',
  '--config-file',
  '--cache-dir',
]);
/** Python interpreter options that take a value. */
const PYTHON_VALUE_OPTIONS = new Set(['-X', '-W', '-Q', '--check-hash-based-pycs']);
/** `coverage run` options that take a value. */
const COVERAGE_VALUE_OPTIONS = new Set([
  '--source',
  '--rcfile',
  '--include',
  '--omit',
  '--concurrency',
  '--context',
  '--data-file',
  '--debug',
]);
/** `docker compose` global options and `run`/`exec`/`docker run` options that take a value. */
const COMPOSE_GLOBAL_VALUE = new Set([
  '-f',
  '--file',
  '-p',
  '--project-name',
  '--profile',
  '--env-file',
  '--project-directory',
  '--ansi',
  '--progress',
  '--parallel',
]);
const DOCKER_VALUE = new Set([
  '-e',
  '--env',
  '--env-file',
  '-v',
  '--volume',
  '-w',
  '--workdir',
  '--name',
  '--network',
  '--net',
  '-u',
  '--user',
  '--entrypoint',
  '-l',
  '--label',
  '-p',
  '--publish',
  '--mount',
  '--platform',
  '--cpus',
  '-m',
  '--memory',
  '--memory-swap',
  '--shm-size',
  '--add-host',
  '--hostname',
  '-h',
  '--dns',
  '--pull',
  '--index',
  '--cap-add',
  '--cap-drop',
  '--device',
  '--gpus',
  '--ulimit',
  '--tmpfs',
  '--ipc',
  '--pid',
  '--runtime',
  '--security-opt',
  '--stop-signal',
  '--log-driver',
  '--log-opt',
  '--restart',
  '--cidfile',
  '--link',
  '--expose',
]);

const isPytestWord = (w: ShellWord) => !w.dynamic && /^(pytest|py\.test)(-3(\.\d+)?)?$/.test(basename(w.value));
const isPython = (w: ShellWord) => !w.dynamic && /^(python|pypy)(\d+(\.\d+)?)?$/.test(basename(w.value));

/** Skip options at `i` (those in `withValue` take the next word unless written `--opt=value`); returns the first non-option. */
function skipOptions(
  words: readonly ShellWord[],
  i: number,
  withValue: ReadonlySet<string>,
  onValue?: (name: string, value: string) => void,
): number {
  while (i < words.length && words[i]!.value.startsWith('-') && words[i]!.value !== '-') {
    const w = words[i]!.value;
    if (w === '--') return i + 1;
    const eq = w.indexOf('=');
    const name = eq > 0 && w.startsWith('--') ? w.slice(0, eq) : w;
    if (eq > 0 && w.startsWith('--')) onValue?.(name, w.slice(eq + 1));
    else if (withValue.has(name) && i + 1 < words.length) {
      onValue?.(name, words[i + 1]!.value);
      i++;
    } else if (/^-[a-zA-Z]./.test(w) && withValue.has(w.slice(0, 2))) onValue?.(w.slice(0, 2), w.slice(2));
    i++;
  }
  return i;
}

/** The pytest run a simple command starts, through wrappers and containers; null when it runs something else. */
export function pytestRunOf(words: readonly ShellWord[], container: ContainerRun | null = null, depth = 0): PytestRun | null {
  let i = 0;
  while (i < words.length && ASSIGNMENT.test(words[i]!.value)) i++;
  const head = words[i];
  if (!head || head.dynamic || depth > 6) return null;
  const name = basename(head.value);
  const rest = (from: number) => pytestRunOf(words.slice(from), container, depth + 1);
  if (isPytestWord(head)) return { args: words.slice(i + 1), at: head, container };
  if (isPython(head)) {
    // `python [options] -m pytest ...`; a script or `-c` runs something else.
    for (let k = i + 1; k < words.length; k++) {
      const w = words[k]!.value;
      // `-m`, or bundled with flags before it: `python -Im pytest` (isolated: the checkout is not on sys.path).
      if (w === '-m' || /^-[A-Za-ln-z]+m$/.test(w)) {
        const module = words[k + 1]?.value;
        if (module === 'pytest' || module === 'py.test') return { args: words.slice(k + 2), at: words[k + 1]!, container };
        // `python -m coverage run ... -m pytest`
        return module === 'coverage' ? rest(k + 1) : null;
      }
      if (w === '-mpytest') return { args: words.slice(k + 1), at: words[k]!, container };
      if (!w.startsWith('-') || w === '-c') return null;
      if (PYTHON_VALUE_OPTIONS.has(w)) k++;
    }
    return null;
  }
  if (name === 'coverage') {
    if (words[i + 1]?.value !== 'run') return null;
    const k = skipOptions(words, i + 2, COVERAGE_VALUE_OPTIONS);
    // `coverage run -m pytest` is read by skipOptions as the option `-m`: look for it explicitly.
    for (let m = i + 2; m < words.length; m++) {
      if (words[m]!.value === '-m' && words[m + 1]?.value === 'pytest') return { args: words.slice(m + 2), at: words[m + 1]!, container };
    }
    return words[k] && isPytestWord(words[k]) ? rest(k) : null;
  }
  if (name === 'uvx' || name === 'pipx') {
    const k = skipOptions(words, name === 'pipx' && words[i + 1]?.value === 'run' ? i + 2 : i + 1, RUNNER_VALUE_OPTIONS);
    return rest(k);
  }
  if (ENV_RUNNERS.has(name)) {
    if (words[i + 1]?.value !== 'run') return null;
    const k = skipOptions(words, i + 2, RUNNER_VALUE_OPTIONS);
    const next = words[k];
    // `hatch run test:pytest`: the command follows the environment name.
    const scoped = name === 'hatch' && next ? /^[\w.-]+:(.+)$/.exec(next.value) : null;
    if (scoped && next) return pytestRunOf([{ ...next, value: scoped[1]! }, ...words.slice(k + 1)], container, depth + 1);
    return rest(k);
  }
  if (PASS_THROUGH.has(name)) {
    let k = skipOptions(words, i + 1, PASS_THROUGH_VALUE_OPTIONS);
    // `timeout 600 CMD`, `taskset -c 0 CMD`, `taskset 0x1 CMD`: one positional before the command.
    if ((name === 'timeout' && k < words.length && /^\d/.test(words[k]!.value)) || name === 'taskset') k++;
    return rest(k);
  }
  if (name === 'docker' || name === 'docker-compose') {
    let k = i + 1;
    let compose = name === 'docker-compose';
    if (!compose && words[k]?.value === 'compose') {
      compose = true;
      k++;
    }
    const composeFiles: string[] = [];
    if (compose)
      k = skipOptions(words, k, COMPOSE_GLOBAL_VALUE, (opt, value) =>
        opt === '-f' || opt === '--file' ? composeFiles.push(value) : undefined,
      );
    const verb = words[k];
    if (!verb || !(compose ? ['run', 'exec'] : ['run']).includes(verb.value)) return null;
    const envNames = new Set<string>();
    k = skipOptions(words, k + 1, DOCKER_VALUE, (opt, value) => {
      if (opt === '-e' || opt === '--env') envNames.add(value.split('=')[0]!);
    });
    const target = words[k];
    if (!target || target.dynamic) return null;
    const kind = compose ? (verb.value === 'run' ? 'compose run' : 'compose exec') : 'docker run';
    return pytestRunOf(words.slice(k + 1), { kind, target: target.value, composeFiles, envNames, verb }, depth + 1);
  }
  return null;
}

export interface PytestArgs {
  /** Positional arguments: test paths, files and node ids (`a.py::test_x`). */
  paths: ShellWord[];
  /** `-c FILE` / `--config-file FILE`. */
  configFile: string | null;
  /** `--rootdir`, `-o testpaths=...`, `--pyargs`: the paths are not judged against the discovered config. */
  ownSelection: boolean;
  /** `-p NAME` values. */
  plugins: string[];
  /** Words after a flag no registry knows: perhaps its value, perhaps a path. */
  ambiguous: ShellWord[];
}

export function readPytestArgs(args: readonly ShellWord[], local?: ReadonlyMap<string, Arity>): PytestArgs {
  const out: PytestArgs = { paths: [], configFile: null, ownSelection: false, plugins: [], ambiguous: [] };
  const value = (name: string, v: string) => {
    if (name === '-c' || name === '--config-file') out.configFile = v;
    if (name === '--rootdir' || ((name === '-o' || name === '--override-ini') && /^testpaths=/.test(v))) out.ownSelection = true;
    if (name === '-p') out.plugins.push(v);
  };
  let optionsEnded = false;
  const words = args.map((a) => a.value);
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const w = word.value;
    const next = args[i + 1];
    const nextIsValue = next !== undefined && !next.value.startsWith('-');
    // The words a flag written without `=value` takes: its values by arity; for a flag nothing knows, the
    // next word as ambiguous. Returns how many it took.
    const takeFollowing = (name: string, arity: Arity | undefined): number => {
      if (arity) {
        const n = valuesTaken(arity, words, i + 1);
        if (n > 0) value(name, next!.value);
        return n;
      }
      if (!nextIsValue) return 0;
      out.ambiguous.push(next);
      return 1;
    };
    if (optionsEnded || !w.startsWith('-') || w === '-' || /^-\d/.test(w)) {
      out.paths.push(word);
      continue;
    }
    if (w === '--') {
      optionsEnded = true;
      continue;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq >= 0 ? w.slice(0, eq) : w;
      if (name === '--pyargs') out.ownSelection = true;
      if (eq >= 0) {
        value(name, w.slice(eq + 1));
        continue;
      }
      i += takeFollowing(name, flagArity(name, local));
      continue;
    }
    // Short options, possibly bundled: `-vx`, `-n4`, `-k expr`, `-xk expr`.
    for (let k = 1; k < w.length; k++) {
      const name = `-${w[k]}`;
      const arity = flagArity(name, local);
      if (arity?.value === 'none') continue;
      const attached = w.slice(k + 1).replace(/^=/, '');
      if (attached) value(name, attached);
      else i += takeFollowing(name, arity);
      break;
    }
  }
  return out;
}
