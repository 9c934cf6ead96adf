/**
 * The environments a Python project runs its tests in, read statically (nothing is run): each tox env
 * (tox.ini or pyproject `[tool.tox]`, env names expanded from `envlist` with their factors), each nox
 * session (`session.install(...)`, `session.run(...)` in noxfile.py), and each CI job (GitHub Actions,
 * GitLab CI) that runs pytest, with what it installs, the `PYTEST_ADDOPTS` it sets and how it starts pytest.
 * A lock file is not an environment: what an environment installs is what its own commands name.
 *
 * A fix that writes a plugin's key or flag is safe only when every environment running pytest with the
 * config has that plugin (`lackingPlugin`). An environment whose installs cannot all be read (a computed
 * argument, a composite action, `hatch run`) is `open`: it is never claimed to lack anything.
 */
import { dirname, join, relative, resolve } from 'node:path';
import type { Pair, Scalar } from 'yaml';
import { parseIni } from '../../formats/ini.js';
import { findCalls } from '../../formats/python-calls.js';
import { compareVersions, normalizeName, parseRequirement, parseRequirementsFile } from '../../formats/requirements.js';
import { shellCommands, type ShellWord } from '../../formats/shell.js';
import { keyValues, parseToml, tomlValue } from '../../formats/toml.js';
import { loadYaml, parseOne } from '../../formats/yaml.js';
import type { DependencyList, ProjectDependencies } from '../../formats/dependencies.js';
import { pytestRunOf } from '../ci/command-line.js';

export type EnvironmentKind = 'tox' | 'nox' | 'github' | 'gitlab';

export interface EnvironmentPytestRun {
  /** The words after `pytest` (values; a dynamic word as written). */
  args: string[];
  /** The directory it runs in; null where it cannot be followed statically. */
  cwd: string | null;
  /** `python -I ... -m pytest`: the checkout is not on sys.path, the installed package is tested. */
  isolated: boolean;
}

export interface TestEnvironment {
  kind: EnvironmentKind;
  /** For messages: `tox env py312`, `nox session tests`, `GitHub job test (ci.yml)`, `GitLab job pytest`. */
  name: string;
  file: string;
  /** Normalized distribution names it installs, each with the specifier written (`==0.21.1`, or ''). */
  installs: Map<string, string>;
  /** What it installs, as written, for print-config: `-r requirements-dev.txt`, `.[test]`, `uv sync --group test`. */
  sources: string[];
  /** The dependency lists of the project it installs from (a fix adding a plugin to one of them reaches it). */
  lists: DependencyList[];
  /** Why what it installs cannot be read completely; null when it can. */
  open: string | null;
  pytest: EnvironmentPytestRun[];
  /** `PYTEST_ADDOPTS` it sets, as written; null when it sets none. */
  addopts: string | null;
}

export interface EnvironmentFiles {
  read(path: string): string | null;
}

// --- installs ----------------------------------------------------------------------------------------

/** The environment being read, gathering what it installs. */
class Installs {
  readonly installs = new Map<string, string>();
  readonly sources: string[] = [];
  readonly lists: DependencyList[] = [];
  open: string | null = null;
  constructor(
    readonly deps: ProjectDependencies,
    readonly files: EnvironmentFiles,
  ) {}

  unknown(why: string) {
    this.open ??= why;
  }

  requirement(text: string) {
    const r = parseRequirement(text);
    if (!r) return this.unknown(`\`${text}\` is not a requirement`);
    if (!this.installs.has(r.name) || r.specifier) this.installs.set(r.name, r.specifier);
  }

  list(list: DependencyList, seen = new Set<DependencyList>()) {
    if (seen.has(list)) return;
    seen.add(list);
    if (!this.lists.includes(list)) this.lists.push(list);
    for (const d of list.dependencies) {
      if (!this.installs.has(d.requirement.name) || d.requirement.specifier) this.installs.set(d.requirement.name, d.requirement.specifier);
    }
    for (const g of list.includes) {
      const inc = this.deps.lists.find((l) => l.group === `[dependency-groups] ${g}`);
      if (inc) this.list(inc, seen);
    }
  }

  /** `-r FILE`: the project's list for it when the dependencies reader read it, else the file read here. */
  requirementsFile(path: string, depth = 0) {
    const known = this.deps.lists.find((l) => l.file === path);
    if (known) {
      this.list(known);
      for (const inc of known.requires ?? []) this.requirementsFile(inc, depth + 1);
      return;
    }
    const text = this.files.read(path);
    if (text === null || depth > 10) return this.unknown(`${relative(this.deps.root, path)} cannot be read`);
    const parsed = parseRequirementsFile(text);
    for (const r of parsed.requirements)
      if (!this.installs.has(r.requirement.name) || r.requirement.specifier) this.installs.set(r.requirement.name, r.requirement.specifier);
    for (const inc of parsed.includes) this.requirementsFile(resolve(dirname(path), inc), depth + 1);
  }

  private group(name: string): DependencyList | undefined {
    const wanted = [
      `[dependency-groups] ${name}`,
      `[tool.poetry.group.${name}.dependencies]`,
      `[tool.pdm.dev-dependencies] ${name}`,
      ...(name === 'dev' ? ['[tool.uv] dev-dependencies', '[tool.poetry.dev-dependencies]'] : []),
    ];
    return this.deps.lists.find((l) => wanted.includes(l.group));
  }

  dependencyGroup(name: string) {
    const list = this.group(name);
    if (list) this.list(list);
    else this.unknown(`the dependency group ${name} is not declared where it can be read`);
  }

  /** The project itself (`.`, `-e .`, a built wheel) with extras: its main dependencies and those extras. */
  project(extras: string[]) {
    for (const l of this.deps.lists)
      if (
        ['[project] dependencies', '[tool.poetry.dependencies]', '[options] install_requires', 'setup.py install_requires'].includes(
          l.group,
        )
      )
        this.list(l);
    for (const extra of extras) {
      const e = extra.trim();
      if (!e) continue;
      const list = this.deps.lists.find((l) =>
        [`[project.optional-dependencies] ${e}`, `[options.extras_require] ${e}`, `setup.py extras_require["${e}"]`].includes(l.group),
      );
      if (list) this.list(list);
      else this.unknown(`the extra [${e}] is not declared where it can be read`);
    }
    if (this.deps.opaque) this.unknown('the project declares dependencies that cannot be read statically');
  }

  /** Every group of a kind (uv `--all-groups`, Poetry's and PDM's default of all non-optional groups). */
  allGroups(prefixes: string[]) {
    for (const l of this.deps.lists) if (prefixes.some((p) => l.group.startsWith(p))) this.list(l);
  }

  allExtras() {
    for (const l of this.deps.lists)
      if (/^\[project\.optional-dependencies\]|^\[options\.extras_require\]|^setup\.py extras_require/.test(l.group)) this.list(l);
  }
}

const isPython = (w: string) => /^(?:.*\/)?python(?:\d+(?:\.\d+)*)?(?:\.exe)?$/.test(w) || w === 'py';

/**
 * A simple command that installs into the environment (pip, `uv pip`, `uv sync`, Poetry, PDM), read into
 * `into`; false when the command installs nothing into it.
 */
function readInstallCommand(words: readonly ShellWord[], cwd: string, into: Installs, root: string): boolean {
  let i = 0;
  while (i < words.length && /^[A-Za-z_]\w*=/.test(words[i]!.value)) i++;
  const w = words.slice(i).map((x) => x.value);
  const dyn = words.slice(i).map((x) => x.dynamic);
  if (w.length === 0) return false;
  let k: number;
  const head = w[0]!.split('/').pop()!;
  if (/^pip3?(?:\.\d+)?$/.test(head) && w[1] === 'install') k = 2;
  else if (isPython(w[0]!) && w.includes('-m') && w[w.indexOf('-m') + 1] === 'pip' && w[w.indexOf('-m') + 2] === 'install')
    k = w.indexOf('-m') + 3;
  else if (head === 'uv' && w[1] === 'pip' && w[2] === 'install') k = 3;
  else if (head === 'uv' && w[1] === 'sync') return readSync(w.slice(2), dyn.slice(2), into, 'uv');
  else if (head === 'poetry' && w[1] === 'install') return readSync(w.slice(2), dyn.slice(2), into, 'poetry');
  else if (head === 'pdm' && (w[1] === 'install' || w[1] === 'sync')) return readSync(w.slice(2), dyn.slice(2), into, 'pdm');
  else if (head === 'conda' || head === 'mamba' || head === 'micromamba') {
    if (w[1] === 'install' || (w[1] === 'env' && (w[2] === 'create' || w[2] === 'update'))) {
      into.unknown(`\`${w.slice(0, 3).join(' ')}\` installs from a conda environment`);
      return true;
    }
    return false;
  } else return false;
  const first = w[k];
  // `pip install tox` / `pip install nox` / `pip install --upgrade pip`: tools, not the environment tests run in.
  const args = w.slice(k);
  if (
    args.every(
      (a) => /^(?:pip|setuptools|wheel|tox|nox|uv|build|twine|virtualenv|poetry|pdm|hatch)(?:[<>=!~].*)?$/i.test(a) || a.startsWith('-'),
    )
  )
    if (first !== undefined && !args.some((a) => a.startsWith('-r') || a.startsWith('--requirement') || a === '-e' || a === '--group'))
      return false;
  into.sources.push(w.slice(0, k).concat(args).join(' '));
  for (let j = k; j < w.length; j++) {
    const a = w[j]!;
    if (dyn[j]) {
      into.unknown(`\`${a}\` is only known when the command runs`);
      continue;
    }
    const value = (flag: string) => (a === flag ? w[++j] : a.startsWith(flag) && !a.startsWith('--') ? a.slice(flag.length) : undefined);
    const req =
      a === '-r' || a === '--requirement' ? w[++j] : a.startsWith('--requirement=') ? a.slice(14) : /^-r./.test(a) ? a.slice(2) : undefined;
    if (req !== undefined) {
      if (dyn[j]) into.unknown(`\`-r ${req}\` is only known when the command runs`);
      else into.requirementsFile(resolve(cwd, req));
      continue;
    }
    if (
      a === '-c' ||
      a === '--constraint' ||
      a === '-i' ||
      a === '--index-url' ||
      a === '--extra-index-url' ||
      a === '-f' ||
      a === '--find-links'
    ) {
      j++;
      continue;
    }
    if (a === '--group') {
      const g = w[++j] ?? '';
      const m = /^(?:(.*):)?([\w.-]+)$/.exec(g);
      if (m) into.dependencyGroup(m[2]!);
      continue;
    }
    const editable = value('-e') ?? (a === '--editable' ? w[++j] : undefined);
    const target = editable ?? a;
    if (target.startsWith('-')) continue;
    const local = /^(\.{1,2}(?:\/[^[\]]*)?|[^[\]]*\.whl|[^[\]]*\/)(?:\[([^\]]*)\])?$/.exec(target);
    if (local) {
      // The project itself (its directory, or a wheel built from it); another local path is another package.
      if (local[1]!.endsWith('.whl') || resolve(cwd, local[1]!) === root) into.project((local[2] ?? '').split(','));
      else into.unknown(`\`${target}\` installs a local package whose dependencies are not read`);
      continue;
    }
    if (/^[A-Za-z0-9]/.test(target) && !target.includes('/')) into.requirement(target);
    else into.unknown(`\`${target}\` cannot be read as a requirement`);
  }
  return true;
}

/** `uv sync`, `poetry install`, `pdm install`: the project, its default groups and the ones named. */
function readSync(args: string[], dyn: boolean[], into: Installs, tool: 'uv' | 'poetry' | 'pdm'): boolean {
  into.sources.push(`${tool} ${tool === 'uv' ? 'sync' : 'install'}${args.length ? ` ${args.join(' ')}` : ''}`);
  if (dyn.some(Boolean)) into.unknown(`\`${tool}\` is given arguments only known when the command runs`);
  const named = (flags: string[]) => {
    const out: string[] = [];
    for (let j = 0; j < args.length; j++) {
      const a = args[j]!;
      for (const f of flags) {
        if (a === f) out.push(...(args[++j] ?? '').split(','));
        else if (a.startsWith(`${f}=`)) out.push(...a.slice(f.length + 1).split(','));
        else if (f.length === 2 && a.startsWith(f) && a.length > 2) out.push(...a.slice(2).split(','));
      }
    }
    return out.filter(Boolean);
  };
  const has = (...flags: string[]) => args.some((a) => flags.includes(a));
  const only = named(['--only-group', '--only']);
  if (only.length === 0 && !has('--only-dev')) into.project(named(['--extra', '-E', '--extras']));
  if (has('--all-extras')) into.allExtras();
  if (tool === 'uv') {
    if (has('--all-groups')) into.allGroups(['[dependency-groups]', '[tool.uv] dev-dependencies']);
    if (!has('--no-dev', '--no-default-groups') && only.length === 0) {
      const dev = ['[dependency-groups] dev', '[tool.uv] dev-dependencies'];
      for (const l of into.deps.lists) if (dev.includes(l.group)) into.list(l);
    }
    for (const g of [...named(['--group']), ...only]) into.dependencyGroup(g);
  } else if (tool === 'poetry') {
    const without = new Set(named(['--without']));
    if (only.length === 0)
      for (const l of into.deps.lists) {
        const m = /^\[tool\.poetry\.group\.(.+)\.dependencies\]$/.exec(l.group);
        // Poetry installs every group not marked optional; optional ones are read as not installed.
        if ((m && !without.has(m[1]!) && !optionalPoetryGroup(into, m[1]!)) || l.group === '[tool.poetry.dev-dependencies]') into.list(l);
      }
    for (const g of [...named(['--with']), ...only]) into.dependencyGroup(g);
  } else {
    // PDM installs every group by default, `--prod` none of the dev groups, `-G` adds the named ones.
    if (!has('--prod', '--production')) into.allGroups(['[tool.pdm.dev-dependencies]', '[dependency-groups]']);
    for (const g of named(['-G', '--group'])) if (g !== ':all') into.dependencyGroup(g);
  }
  return true;
}

function optionalPoetryGroup(into: Installs, group: string): boolean {
  const root = into.deps.root;
  const text = into.files.read(join(root, 'pyproject.toml')) ?? '';
  return new RegExp(
    `^\\[tool\\.poetry\\.group\\.${group.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]\\s*\\r?\\n(?:[^[]*\\n)*?\\s*optional\\s*=\\s*true`,
    'm',
  ).test(text);
}

/** pytest runs of a command list. */
function pytestRuns(commands: { words: ShellWord[]; cwd: string | null }[]): EnvironmentPytestRun[] {
  const out: EnvironmentPytestRun[] = [];
  for (const c of commands) {
    const run = pytestRunOf(c.words);
    if (!run || run.container) continue;
    const before = c.words.slice(0, c.words.indexOf(run.at));
    const py = before.findIndex((w) => isPython(w.value));
    const isolated = py >= 0 && before.slice(py + 1).some((w) => /^-[A-Za-z]*I[A-Za-z]*$/.test(w.value));
    out.push({ args: run.args.map((w) => w.value), cwd: c.cwd, isolated });
  }
  return out;
}

// --- tox ---------------------------------------------------------------------------------------------

/** `py{311,312}-{a,b}` brace expansion, as tox expands `envlist`. */
export function expandBraces(text: string): string[] {
  const m = /\{([^{}]*)\}/.exec(text);
  if (!m) return [text];
  return m[1]!.split(',').flatMap((alt) => expandBraces(text.slice(0, m.index) + alt.trim() + text.slice(m.index + m[0].length)));
}

/** One line of a tox value: its text (trimmed) and, for a `factor: value` line, the factor condition's alternatives. */
interface ToxLine {
  text: string;
  /** `py311,py312` and `asyncio-!windows` as [['py311'], ['py312']] and [['asyncio', '!windows']]; null: every env. */
  condition: string[][] | null;
}

/** A tox value's lines, and for each factor the lines an env with that factor may get (see parseToxLines). */
interface ToxValue {
  lines: ToxLine[];
  /** Lines every env is checked against: unconditional ones, and conditions made only of negated factors. */
  always: number[];
  /** Lines by a factor one of their alternatives requires: an env without it cannot match that alternative. */
  byFactor: Map<string, number[]>;
}

/**
 * A tox value read into lines once, indexed by factor: a generated tox.ini (sentry-python's: 18,646 lines, 838
 * envs, deps of thousands of `factor: value` lines) was read again and matched line by line for every env,
 * 20 s in all.
 */
function parseToxLines(value: string): ToxValue {
  const lines: ToxLine[] = [];
  for (const raw of value.replace(/\\\r?\n/g, ' ').split('\n')) {
    const m = /^\s*(!?[\w{},.!-]+):\s+(.*)$/.exec(raw);
    const conditional = m !== null && !/^[a-z]+:\/\//i.test(raw.trim());
    const text = (conditional ? m[2]! : raw).trim();
    if (!text || text.startsWith('#')) continue;
    const condition = conditional
      ? expandBraces(m[1]!)
          .flatMap((c) => c.split(','))
          .map((alt) => alt.trim().split('-'))
      : null;
    lines.push({ text, condition });
  }
  // Each alternative is filed under its rarest required factor, so an env looks at few lines besides its own.
  const uses = new Map<string, number>();
  for (const { condition } of lines) for (const alt of condition ?? []) for (const f of alt) uses.set(f, (uses.get(f) ?? 0) + 1);
  const rarest = (alt: string[]) =>
    alt
      .filter((f) => !f.startsWith('!'))
      .reduce<string | undefined>((best, f) => (best === undefined || uses.get(f)! < uses.get(best)! ? f : best), undefined);
  const always: number[] = [];
  const byFactor = new Map<string, number[]>();
  lines.forEach(({ condition }, i) => {
    const keys = new Set(condition?.map(rarest) ?? [undefined]);
    for (const key of keys) {
      if (key === undefined) always.push(i);
      else {
        const at = byFactor.get(key);
        if (at) at.push(i);
        else byFactor.set(key, [i]);
      }
    }
  });
  return { lines, always, byFactor };
}

/** The lines of a tox value that apply to an env, in order: `factor: value` lines only where the factors match. */
function toxLines(value: ToxValue, factors: Set<string>): string[] {
  const candidates = new Set(value.always);
  for (const f of factors) for (const i of value.byFactor.get(f) ?? []) candidates.add(i);
  return [...candidates]
    .sort((a, b) => a - b)
    .map((i) => value.lines[i]!)
    .filter(
      ({ condition }) =>
        condition === null || condition.some((alt) => alt.every((f) => (f.startsWith('!') ? !factors.has(f.slice(1)) : factors.has(f)))),
    )
    .map((l) => l.text);
}

interface ToxSource {
  file: string;
  sections: Map<string, Map<string, string>>;
}

function toxFromIni(file: string, text: string): ToxSource | null {
  const doc = parseIni(text);
  if (doc.error) return null;
  const sections = new Map<string, Map<string, string>>();
  for (const s of doc.sections) sections.set(s.name, new Map(s.entries.map((e) => [e.name, e.value])));
  return { file, sections };
}

function substituteTox(value: string, tox: ToxSource, root: string, depth = 0): string {
  return value.replace(/\{([^{}]*)\}/g, (whole, inner: string) => {
    if (inner === 'posargs' || inner === '') return '';
    if (inner.startsWith('posargs:')) return inner.slice(8);
    if (['toxinidir', 'tox_root', 'toxworkdir'].includes(inner)) return root;
    const ref = /^\[([^\]]+)\](.+)$/.exec(inner);
    const found = ref ? tox.sections.get(ref[1]!)?.get(ref[2]!) : undefined;
    if (found !== undefined && depth < 5) return substituteTox(found, tox, root, depth + 1);
    return whole;
  });
}

function readTox(tox: ToxSource, deps: ProjectDependencies, files: EnvironmentFiles): TestEnvironment[] {
  const root = dirname(tox.file);
  const base = tox.sections.get('testenv') ?? new Map<string, string>();
  const envlist = tox.sections.get('tox')?.get('envlist') ?? tox.sections.get('tox')?.get('env_list') ?? '';
  const names = new Set<string>();
  for (const item of envlist.split(/[\n,](?![^{]*\})/))
    for (const n of expandBraces(item.trim())) if (n && !n.startsWith('#')) names.add(n);
  for (const s of tox.sections.keys()) if (s.startsWith('testenv:')) for (const n of expandBraces(s.slice(8))) names.add(n);
  if (names.size === 0 && tox.sections.has('testenv')) names.add('py');
  // Read once for all envs: the section each env name belongs to (the first that names it), and each value
  // substituted and split into lines.
  const owners = new Map<string, { section: string; values: Map<string, string> }>();
  for (const [section, values] of tox.sections)
    if (section.startsWith('testenv:'))
      for (const n of expandBraces(section.slice(8))) if (!owners.has(n)) owners.set(n, { section, values });
  const read = new Map<string, ToxValue>();
  const linesOf = (value: string) => {
    let hit = read.get(value);
    if (!hit) read.set(value, (hit = parseToxLines(substituteTox(value, tox, root))));
    return hit;
  };
  const envs: TestEnvironment[] = [];
  for (const name of names) {
    const owner = owners.get(name);
    const own = owner?.values;
    const get = (key: string, alt?: string) =>
      own?.get(key) ?? (alt ? own?.get(alt) : undefined) ?? base.get(key) ?? (alt ? base.get(alt) : undefined);
    const factors = new Set(name.split('-'));
    const lines = (key: string, alt?: string) => toxLines(linesOf(get(key, alt) ?? ''), factors);
    const into = new Installs(deps, files);
    // The tox.ini deps list itself: a fix that adds a plugin to it reaches this env.
    const depsSection = own?.has('deps') ? owner!.section : 'testenv';
    const depsList = deps.lists.find((l) => l.file === tox.file && l.group === `tox.ini [${depsSection}] deps`);
    if (depsList) into.lists.push(depsList);
    for (const line of lines('deps')) {
      if (line.includes('{')) into.unknown(`\`${line}\` holds a substitution that cannot be read statically`);
      else readInstallCommand(shellCommands(`pip install ${line}`)[0]?.words ?? [], root, into, deps.root);
    }
    const skip = /^(true|1|yes)$/i.test(get('skip_install')?.trim() ?? '') || get('package')?.trim() === 'skip';
    if (!skip) into.project(lines('extras').flatMap((l) => l.split(',')));
    for (const g of lines('dependency_groups').flatMap((l) => l.split(/[\s,]+/))) if (g) into.dependencyGroup(g);
    const commands = lines('commands').flatMap((l) => shellCommands(l.replace(/^-\s*/, '')));
    const changedir = get('changedir', 'change_dir');
    const cwd = changedir ? resolve(root, substituteTox(changedir.trim(), tox, root)) : root;
    const setenv = lines('setenv', 'set_env');
    const addopts = setenv.map((l) => /^PYTEST_ADDOPTS\s*=\s*(.*)$/.exec(l)?.[1]).find((v) => v !== undefined) ?? null;
    envs.push({
      kind: 'tox',
      name: `tox env ${name}`,
      file: tox.file,
      installs: into.installs,
      sources: into.sources.map((s) => s.replace(/^pip install /, '')),
      lists: into.lists,
      open: into.open,
      pytest: pytestRuns(commands.map((c) => ({ words: c.words, cwd }))),
      addopts,
    });
  }
  return envs;
}

/** pyproject `[tool.tox]` (`legacy_tox_ini`, or native `env_run_base` / `env.NAME` tables), or tox.toml (`prefix` []). */
function toxFromToml(file: string, text: string, prefix: string[] = ['tool', 'tox']): ToxSource | null {
  if (prefix.length > 0 && !text.includes('tool.tox') && !/\[tool\]/.test(text)) return null;
  const doc = parseToml(text);
  if (!doc.ast) return null;
  const sections = new Map<string, Map<string, string>>();
  const put = (section: string, key: string, value: string) => {
    const s = sections.get(section) ?? new Map<string, string>();
    s.set(key, value);
    sections.set(section, s);
  };
  const wordsOf = (cmd: unknown): string =>
    Array.isArray(cmd)
      ? cmd.map((x) => (typeof x === 'string' ? (/[\s'"]/.test(x) ? `'${x.replace(/'/g, "'\\''")}'` : x) : '{dynamic}')).join(' ')
      : '';
  for (const { path, node } of keyValues(doc.ast)) {
    if (prefix.some((p, i) => path[i] !== p)) continue;
    const rest = path.slice(prefix.length);
    if (rest.length === 1 && rest[0] === 'legacy_tox_ini') {
      const v = tomlValue(node.value);
      return typeof v === 'string' ? toxFromIni(file, v) : null;
    }
    // `set_env.NAME = value` (a dotted key) is one variable of set_env.
    if (rest.length >= 3 && rest.at(-2) === 'set_env' && (rest[0] === 'env_run_base' || rest[0] === 'env')) {
      const v = tomlValue(node.value);
      const at = rest[0] === 'env_run_base' ? 'testenv' : `testenv:${rest[1]}`;
      const prev = sections.get(at)?.get('set_env');
      if (typeof v === 'string') put(at, 'set_env', `${prev ? `${prev}\n` : ''}${rest.at(-1)}=${v}`);
      continue;
    }
    const section =
      rest[0] === 'env_run_base' && rest.length === 2 ? 'testenv' : rest[0] === 'env' && rest.length === 3 ? `testenv:${rest[1]}` : null;
    if (rest.length === 2 && (rest[0] === 'env_list' || rest[0] === 'envlist')) continue;
    if (rest.length === 1 && (rest[0] === 'env_list' || rest[0] === 'envlist')) {
      const v = tomlValue(node.value);
      if (Array.isArray(v)) put('tox', 'env_list', v.map(String).join('\n'));
      continue;
    }
    if (!section) continue;
    const key = rest.at(-1)!;
    const v = tomlValue(node.value);
    if (key === 'commands' && Array.isArray(v)) put(section, 'commands', v.map(wordsOf).join('\n'));
    else if (Array.isArray(v)) put(section, key, v.map((x) => (typeof x === 'string' ? x : '{dynamic}')).join('\n'));
    else if (typeof v === 'string' || typeof v === 'boolean') put(section, key, String(v));
    else if (key === 'set_env' && v && typeof v === 'object')
      put(
        section,
        'set_env',
        Object.entries(v as Record<string, unknown>)
          .map(([k, x]) => `${k}=${String(x)}`)
          .join('\n'),
      );
  }
  return sections.size > 0 ? { file, sections } : null;
}

// --- nox ---------------------------------------------------------------------------------------------

async function readNox(file: string, text: string, deps: ProjectDependencies, files: EnvironmentFiles): Promise<TestEnvironment[]> {
  const cwd = dirname(file);
  const bySession = new Map<string, { into: Installs; commands: { words: ShellWord[]; cwd: string }[]; addopts: string | null }>();
  for (const call of await findCalls(text, /(^|\.)(install|run|run_install|run_always)$/)) {
    if (!call.functionName || !/^session\./.test(call.callee)) continue;
    const entry = bySession.get(call.functionName) ?? { into: new Installs(deps, files), commands: [], addopts: null };
    bySession.set(call.functionName, entry);
    const words: ShellWord[] = [];
    for (const a of call.args) {
      if (a.name === 'env' && /["']PYTEST_ADDOPTS["']\s*:/.test(a.text))
        entry.addopts = /["']PYTEST_ADDOPTS["']\s*:\s*["']([^"']*)["']/.exec(a.text)?.[1] ?? '?';
      if (a.name !== null) continue;
      if (a.string !== null) words.push({ value: a.string, start: a.start, end: a.end, dynamic: false, glob: false });
      else if (/^\*\s*session\.posargs$/.test(a.text)) continue;
      else words.push({ value: a.text, start: a.start, end: a.end, dynamic: true, glob: false });
    }
    if (call.callee.endsWith('.install')) {
      readInstallCommand(
        [
          { value: 'pip', start: 0, end: 0, dynamic: false, glob: false },
          { value: 'install', start: 0, end: 0, dynamic: false, glob: false },
          ...words,
        ],
        cwd,
        entry.into,
        deps.root,
      );
    } else if (!readInstallCommand(words, cwd, entry.into, deps.root)) entry.commands.push({ words, cwd });
  }
  for (const { into } of bySession.values()) if (into.sources.length === 0) into.unknown('the session installs nothing it names');
  return [...bySession].map(([name, { into, commands, addopts }]) => ({
    kind: 'nox' as const,
    name: `nox session ${name}`,
    file,
    installs: into.installs,
    sources: into.sources.map((s) => s.replace(/^pip install /, '')),
    lists: into.lists,
    open: into.open,
    pytest: pytestRuns(commands),
    addopts,
  }));
}

// --- CI ----------------------------------------------------------------------------------------------

/** Actions that set up tools or caches, never the packages tests import. */
const HARMLESS_ACTION =
  /^(?:actions\/(?:checkout|setup-python|cache|upload-artifact|download-artifact|setup-node)|astral-sh\/setup-uv|codecov\/|pre-commit\/|actions\/github-script)/;

/** A CI file's top-level mapping, or null when it is not one (the CI analyzer reports a file that does not parse). */
async function yamlMapping(file: string, text: string) {
  const y = await loadYaml();
  try {
    const root = parseOne(y, file, text).contents;
    return y.isMap(root) ? { y, root } : null;
  } catch {
    return null;
  }
}

async function readGithub(
  file: string,
  text: string,
  repo: string,
  deps: ProjectDependencies,
  files: EnvironmentFiles,
): Promise<TestEnvironment[]> {
  const parsed = await yamlMapping(file, text);
  if (!parsed) return [];
  const { y, root } = parsed;
  const jobs = root.get('jobs', true);
  if (!y.isMap(jobs)) return [];
  const envAddopts = (node: unknown): string | null | undefined => {
    if (!y.isMap(node)) return undefined;
    const v = node.get('PYTEST_ADDOPTS');
    return v === undefined ? undefined : String(v);
  };
  const top = envAddopts(root.get('env', true));
  const out: TestEnvironment[] = [];
  for (const pair of jobs.items as Pair<Scalar, unknown>[]) {
    const job = pair.value;
    if (!y.isMap(job)) continue;
    const steps = job.get('steps', true);
    if (!y.isSeq(steps)) continue;
    const jobAddopts = envAddopts(job.get('env', true)) ?? top;
    const into = new Installs(deps, files);
    const runs: EnvironmentPytestRun[] = [];
    let addopts: string | null = jobAddopts ?? null;
    for (const step of steps.items) {
      if (!y.isMap(step)) continue;
      const uses = step.get('uses');
      if (typeof uses === 'string' && !HARMLESS_ACTION.test(uses)) into.unknown(`the step \`uses: ${uses}\` may install packages`);
      const run = step.get('run');
      if (typeof run !== 'string') continue;
      const wd = step.get('working-directory');
      const cwd = typeof wd === 'string' && !wd.includes('${{') ? resolve(repo, wd) : repo;
      const commands = shellCommands(run).map((c) => ({ words: c.words, cwd }));
      for (const c of commands) readInstallCommand(c.words, cwd, into, deps.root);
      const found = pytestRuns(commands);
      if (found.length > 0) {
        runs.push(...found);
        addopts = envAddopts(step.get('env', true)) ?? addopts;
      }
    }
    if (runs.length === 0) continue;
    // A job that shows no install step gets its packages elsewhere (an image, a container, a runner's cache).
    if (into.sources.length === 0) into.unknown('no step of the job installs packages');
    const matrix = job.getIn(['strategy', 'matrix']);
    out.push({
      kind: 'github',
      name: `GitHub job ${String(pair.key.value)} (${relative(repo, file)})${y.isMap(matrix) ? ', each matrix entry' : ''}`,
      file,
      installs: into.installs,
      sources: into.sources,
      lists: into.lists,
      open: into.open,
      pytest: runs,
      addopts,
    });
  }
  return out;
}

async function readGitlab(
  file: string,
  text: string,
  repo: string,
  deps: ProjectDependencies,
  files: EnvironmentFiles,
): Promise<TestEnvironment[]> {
  const parsed = await yamlMapping(file, text);
  if (!parsed) return [];
  const { y, root } = parsed;
  const lines = (node: unknown): string[] =>
    y.isScalar(node) ? [String(node.value ?? '')] : y.isSeq(node) ? node.items.flatMap((n) => lines(n)) : [];
  const addoptsOf = (node: unknown) =>
    y.isMap(node) && node.get('PYTEST_ADDOPTS') !== undefined ? String(node.get('PYTEST_ADDOPTS')) : undefined;
  const globalAddopts = addoptsOf(root.get('variables', true));
  const defaultBefore = lines(root.getIn(['default', 'before_script'], true) ?? root.get('before_script', true));
  const out: TestEnvironment[] = [];
  for (const pair of root.items as Pair<Scalar, unknown>[]) {
    const job = pair.value;
    if (!y.isMap(job) || !y.isScalar(pair.key) || String(pair.key.value).startsWith('.')) continue;
    const script = lines(job.get('script', true));
    if (script.length === 0) continue;
    const before = job.has('before_script') ? lines(job.get('before_script', true)) : defaultBefore;
    const into = new Installs(deps, files);
    if (job.has('extends')) into.unknown('the job `extends` another whose steps are not read');
    const commands = [...before, ...script].flatMap((s) => shellCommands(s).map((c) => ({ words: c.words, cwd: repo })));
    for (const c of commands) readInstallCommand(c.words, repo, into, deps.root);
    const runs = pytestRuns(commands);
    if (runs.length === 0) continue;
    if (into.sources.length === 0) into.unknown('no command of the job installs packages');
    if (job.has('image') || root.has('image')) into.unknown('the job runs in an image that may hold packages');
    out.push({
      kind: 'gitlab',
      name: `GitLab job ${String(pair.key.value)}`,
      file,
      installs: into.installs,
      sources: into.sources,
      lists: into.lists,
      open: into.open,
      pytest: runs,
      addopts: addoptsOf(job.get('variables', true)) ?? globalAddopts ?? null,
    });
  }
  return out;
}

// --- the model ---------------------------------------------------------------------------------------

/**
 * Every environment of the project around `deps.root`: its tox file (tox.ini, or `[tool.tox]` in
 * pyproject.toml), noxfile.py, GitHub workflows and .gitlab-ci.yml at the repository's top (the project
 * root or the nearest directory above it holding `.git`, `.github` or `.gitlab-ci.yml`).
 */
export async function readEnvironments(
  files: EnvironmentFiles & { list?(dir: string): string[] },
  deps: ProjectDependencies,
): Promise<TestEnvironment[]> {
  const root = deps.root;
  const envs: TestEnvironment[] = [];
  const toxIni = join(root, 'tox.ini');
  const toxText = files.read(toxIni);
  const tox = toxText !== null ? toxFromIni(toxIni, toxText) : null;
  const toxToml = join(root, 'tox.toml');
  const tomlText = tox ? null : files.read(toxToml);
  const native = tomlText !== null ? toxFromToml(toxToml, tomlText, []) : null;
  const pyText = tox || native ? null : files.read(join(root, 'pyproject.toml'));
  const pyTox = pyText !== null ? toxFromToml(join(root, 'pyproject.toml'), pyText) : null;
  for (const t of [tox, native, pyTox]) if (t) envs.push(...readTox(t, deps, files));
  const nox = join(root, 'noxfile.py');
  const noxText = files.read(nox);
  if (noxText !== null) envs.push(...(await readNox(nox, noxText, deps, files)));
  let repo = root;
  for (let d = root; ; d = dirname(d)) {
    if (files.read(join(d, '.gitlab-ci.yml')) !== null || (files.list?.(join(d, '.github', 'workflows')).length ?? 0) > 0) {
      repo = d;
      break;
    }
    if (files.list?.(d).includes('.git') || dirname(d) === d) break;
  }
  const workflows = join(repo, '.github', 'workflows');
  for (const name of files.list?.(workflows) ?? []) {
    if (!/\.ya?ml$/.test(name)) continue;
    const text = files.read(join(workflows, name));
    if (text !== null) envs.push(...(await readGithub(join(workflows, name), text, repo, deps, files)));
  }
  const gitlab = join(repo, '.gitlab-ci.yml');
  const gitlabText = files.read(gitlab);
  if (gitlabText !== null) envs.push(...(await readGitlab(gitlab, gitlabText, repo, deps, files)));
  return envs;
}

/** Environments that run pytest from `configDir` (where the config governing the run lives), or name it with `-c`. */
export function environmentsRunning(
  envs: readonly TestEnvironment[],
  configFile: string,
  governing: (dir: string) => string | null,
): TestEnvironment[] {
  return envs.filter((e) =>
    e.pytest.some((run) => {
      const c = run.args.findIndex((a) => a === '-c' || a === '--config-file' || a.startsWith('--config-file='));
      if (c >= 0) {
        const named = run.args[c]!.startsWith('--config-file=') ? run.args[c]!.slice(14) : run.args[c + 1];
        return named !== undefined && run.cwd !== null && resolve(run.cwd, named) === configFile;
      }
      return run.cwd !== null && governing(run.cwd) === configFile;
    }),
  );
}

/**
 * Environments (fully read) among `envs` that do not install `distribution`, or pin it below `release`
 * (`==0.21.1`, `<0.24`): there a key or flag the plugin (or that release) brings is unknown to pytest.
 */
export function lackingPlugin(envs: readonly TestEnvironment[], distribution: string, release?: string): TestEnvironment[] {
  const name = normalizeName(distribution);
  return envs.filter((e) => {
    if (e.open !== null) return false;
    const spec = e.installs.get(name);
    return spec === undefined || (release !== undefined && pinnedBelow(spec, release));
  });
}

/** Whether a PEP 440 specifier allows only versions older than `release` (`==0.21.1`, `<0.24`, `~=0.21.0`). */
export function pinnedBelow(specifier: string, release: string): boolean {
  return specifier.split(',').some((part) => {
    const m = /^\s*(===?|<=?|~=)\s*([\w.*+!-]+)\s*$/.exec(part);
    if (!m) return false;
    const v = m[2]!.replace(/\.\*$/, '');
    const c = compareVersions(v, release);
    if (m[1] === '<') return c <= 0;
    if (m[1] === '~=') return compareVersions(v.split('.').slice(0, -1).join('.') || v, release) < 0 && c < 0;
    return c < 0;
  });
}

const and = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

/** `tox env py312 and nox session tests` (at most four named). */
export function describeEnvironments(envs: readonly { name: string }[]): string {
  const names = envs.map((e) => e.name);
  return names.length > 4 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : and(names);
}
