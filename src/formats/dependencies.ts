/**
 * A Python project's declared dependencies, read from every place packaging tools keep them, each with its
 * source range and an editor that adds a requirement in the list's own style (a splice of the original text):
 *
 * - pyproject.toml: `[project] dependencies` / `optional-dependencies`, PEP 735 `[dependency-groups]`
 *   (with `{include-group = ...}`), Poetry (`[tool.poetry.dependencies]`, `group.*.dependencies`,
 *   `dev-dependencies`), `[tool.uv] dev-dependencies`, `[tool.pdm.dev-dependencies]`, Hatch environments,
 *   and the requirements files `[tool.setuptools.dynamic]` names;
 * - `requirements*.txt`, `*requirements.txt`, `requirements/*.txt`, `*.in`, following `-r` and `-c`;
 * - setup.cfg `install_requires` / `extras_require`, tox.ini `deps`, setup.py literal lists (never run);
 * - Pipfile `[packages]` / `[dev-packages]`;
 * - versions from uv.lock, poetry.lock, pdm.lock.
 *
 * Names are PEP 503-normalized; PEP 508 markers are kept as written.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Edit } from '../core/diagnostic.js';
import { parseIni, type IniEntry } from './ini.js';
import { readSetupPy, type PythonList } from './python-static.js';
import { normalizeName, parseRequirement, parseRequirementsFile, type Requirement } from './requirements.js';
import { keyPath, keyValues, parseToml, type TomlArray, type TomlContent, type TomlKeyValue, type TomlTable } from './toml.js';

export interface DeclaredDependency {
  requirement: Requirement;
  file: string;
  /** Where it is declared, as a person would name it: `[project.optional-dependencies] test`, `requirements-dev.txt`. */
  group: string;
  start: number;
  end: number;
}

export interface DependencyList {
  file: string;
  group: string;
  dependencies: DeclaredDependency[];
  /** `[dependency-groups]` includes (`{include-group = "test"}`). */
  includes: string[];
  /**
   * An edit that adds one requirement (`name`, optional PEP 440 `specifier`) in the list's own style, or null
   * where that cannot be done without rewriting the list (an inline table, a computed value).
   */
  add(name: string, specifier?: string): Edit | null;
  /**
   * What must run after an edit before the environments built from this list have the addition: a lock
   * file pins it (`run \`uv lock\``), or it is the source of a compiled requirements file.
   */
  regenerate?: string;
  /** A requirements file compiled from another (pip-compile): its sources (absolute); an edit belongs there. */
  compiledFrom?: string[];
  /** Requirements files this one pulls in with `-r` (absolute): what they hold is installed with it. */
  requires?: string[];
}

export interface LockedVersion {
  version: string;
  file: string;
}

export interface ProjectDependencies {
  /** The project root: the nearest directory at or above the config holding a packaging file. */
  root: string;
  /** Files that declared something, relative to the root, in reading order. */
  files: string[];
  lists: DependencyList[];
  locked: Map<string, LockedVersion>;
  /** Some declaration could not be read statically (a computed setup.py list, a broken file). */
  opaque: boolean;
  /** The project's own `pytest11` entry points: plugins pytest loads whenever the project is installed. */
  pytest11: ProjectEntryPoint[];
}

export interface ProjectEntryPoint {
  /** What `-p no:NAME` disables. */
  name: string;
  /** The module pytest imports (the part before `:`). */
  module: string;
  /** Where it is declared, relative to the root. */
  file: string;
}

/** `name = module:attr [extra]` as packaging writes an entry point; null when it is not one. */
function entryPoint(spec: string, file: string): ProjectEntryPoint | null {
  const m = /^\s*([^=\s][^=]*?)\s*=\s*([\w.]+)\s*(?::[\w.]*)?\s*(?:\[[^\]]*\])?\s*$/.exec(spec);
  return m ? { name: m[1]!, module: m[2]!, file } : null;
}

export interface ReadFiles {
  read(path: string): string | null;
  list?(dir: string): string[];
}

const PROJECT_MARKERS = ['pyproject.toml', 'setup.py', 'setup.cfg', 'Pipfile'];
const LOCKS = ['uv.lock', 'poetry.lock', 'pdm.lock'];
const isRequirementsName = (n: string) => /^(.*requirements.*\.txt|.*\.in)$/i.test(n) && n !== 'MANIFEST.in';

/** Whether a file name is one the dependency reading looks at (a packaging file, a lock, a requirements file). */
export function isDependencyFileName(name: string): boolean {
  return PROJECT_MARKERS.includes(name) || LOCKS.includes(name) || isRequirementsName(name);
}

function listDir(files: ReadFiles, dir: string): string[] {
  if (files.list) return files.list(dir);
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** The project root governing a config in `dir`: the nearest directory at or above it with a packaging file. */
export function projectRoot(files: ReadFiles, dir: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (PROJECT_MARKERS.some((m) => files.read(join(d, m)) !== null)) return d;
    // A repository's top ends the search: a file above it belongs to something else.
    // One stat of the disk, never a listing through `files` (an ancestor such as /tmp can hold tens of
    // thousands of entries, and listing it cost a one-file pre-commit run more than its own work).
    if (existsSync(join(d, '.git')) || dirname(d) === d) return resolve(dir);
  }
}

export async function readProjectDependencies(files: ReadFiles, dir: string): Promise<ProjectDependencies> {
  const root = projectRoot(files, dir);
  const out: ProjectDependencies = { root, files: [], lists: [], locked: new Map(), opaque: false, pytest11: [] };
  const addEntryPoint = (ep: ProjectEntryPoint | null) => {
    if (ep && !out.pytest11.some((x) => x.name === ep.name && x.module === ep.module)) out.pytest11.push(ep);
  };
  const seenFiles = new Set<string>();
  const note = (file: string) => {
    const rel = relative(root, file).split('\\').join('/');
    if (!out.files.includes(rel)) out.files.push(rel);
  };
  const pushList = (list: DependencyList | null) => {
    if (!list) return;
    out.lists.push(list);
    note(list.file);
  };

  const requirementsFile = (file: string, depth = 0) => {
    if (seenFiles.has(file) || depth > 10) return;
    seenFiles.add(file);
    const text = files.read(file);
    if (text === null) return;
    const parsed = parseRequirementsFile(text);
    const group = relative(root, file).split('\\').join('/');
    pushList({
      file,
      group,
      includes: [],
      // The compile command's paths are relative to where it ran: the root or the file's own directory.
      compiledFrom: parsed.compiledFrom?.flatMap((f) => [resolve(root, f), resolve(dirname(file), f)]),
      requires: parsed.includes.map((f) => resolve(dirname(file), f)),
      dependencies: parsed.requirements.map((r) => ({ requirement: r.requirement, file, group, start: r.start, end: r.end })),
      add(name, specifier = '') {
        if (parsed.lastRequirementEnd === null) {
          const at = text.length;
          const sep = text === '' || text.endsWith('\n') ? '' : parsed.eol;
          return { file, start: at, end: at, text: `${sep}${name}${specifier}${parsed.eol}` };
        }
        return { file, start: parsed.lastRequirementEnd, end: parsed.lastRequirementEnd, text: `${parsed.eol}${name}${specifier}` };
      },
    });
    for (const inc of [...parsed.includes, ...parsed.constraints]) requirementsFile(resolve(dirname(file), inc), depth + 1);
  };

  const pyproject = join(root, 'pyproject.toml');
  const pyText = files.read(pyproject);
  if (pyText !== null) {
    const doc = parseToml(pyText);
    if (!doc.ast) out.opaque = true;
    else {
      for (const list of pyprojectLists(pyproject, pyText, doc.ast)) pushList(list);
      // `[project.entry-points.pytest11]` and Poetry's `[tool.poetry.plugins."pytest11"]`, as tables or inline.
      for (const { path, node } of keyValues(doc.ast)) {
        const at = path.join('\0');
        const group = ['project\0entry-points\0pytest11', 'tool\0poetry\0plugins\0pytest11'];
        const pairs =
          group.includes(at) && node.value.type === 'TOMLInlineTable'
            ? node.value.body.map((kv) => [keyPath(kv.key).join('.'), kv.value] as const)
            : group.includes(path.slice(0, -1).join('\0'))
              ? [[path[path.length - 1]!, node.value] as const]
              : [];
        for (const [name, value] of pairs)
          if (value.type === 'TOMLValue' && value.kind === 'string')
            addEntryPoint(entryPoint(`${name} = ${String(value.value)}`, 'pyproject.toml'));
      }
      for (const f of dynamicFiles(doc.ast)) requirementsFile(resolve(root, f));
    }
  }

  const setupCfg = join(root, 'setup.cfg');
  const cfgText = files.read(setupCfg);
  if (cfgText !== null) {
    const doc = parseIni(cfgText);
    if (doc.error) out.opaque = true;
    for (const s of doc.sections) {
      for (const e of s.entries) {
        if (s.name === 'options' && (e.name === 'install_requires' || e.name === 'tests_require'))
          pushList(iniList(setupCfg, cfgText, e, `[options] ${e.name}`));
        else if (s.name === 'options.extras_require') pushList(iniList(setupCfg, cfgText, e, `[options.extras_require] ${e.name}`));
        else if (s.name === 'options.entry_points' && e.name === 'pytest11')
          for (const line of e.value.split('\n')) addEntryPoint(entryPoint(line, 'setup.cfg'));
      }
    }
  }

  const toxIni = join(root, 'tox.ini');
  const toxText = files.read(toxIni);
  if (toxText !== null) {
    const doc = parseIni(toxText);
    for (const s of doc.sections) {
      if (!/^testenv(:|$)/.test(s.name)) continue;
      const e = s.entries.find((x) => x.name === 'deps');
      if (!e) continue;
      pushList(iniList(toxIni, toxText, e, `tox.ini [${s.name}] deps`));
      for (const line of e.value.split('\n')) {
        const m = /^\s*(?:-r|--requirement)\s*=?\s*(\S+)/.exec(line);
        if (m && !m[1]!.includes('{')) requirementsFile(resolve(root, m[1]!));
      }
    }
  }

  const setupPy = join(root, 'setup.py');
  const setupText = files.read(setupPy);
  if (setupText !== null) {
    const reading = await readSetupPy(setupText);
    if (reading.opaque) out.opaque = true;
    for (const [name, list] of reading.lists) pushList(pythonList(setupPy, setupText, list, `setup.py ${name}`));
    for (const [name, list] of reading.extras) pushList(pythonList(setupPy, setupText, list, `setup.py extras_require["${name}"]`));
    for (const item of reading.entryPoints.get('pytest11') ?? [])
      for (const line of item.value.split('\n')) addEntryPoint(entryPoint(line, 'setup.py'));
  }

  const pipfile = join(root, 'Pipfile');
  const pipText = files.read(pipfile);
  if (pipText !== null) {
    const doc = parseToml(pipText);
    if (!doc.ast) out.opaque = true;
    else
      for (const list of tableLists(pipfile, pipText, doc.ast, (p) =>
        p.length === 1 && (p[0] === 'packages' || p[0] === 'dev-packages') ? `Pipfile [${p[0]}]` : null,
      ))
        pushList(list);
  }

  for (const dirName of [root, join(root, 'requirements')]) {
    for (const name of listDir(files, dirName))
      if (isRequirementsName(name) || (dirName !== root && name.endsWith('.txt'))) requirementsFile(join(dirName, name));
  }

  const locks = new Set<string>();
  for (const lock of LOCKS) {
    const text = files.read(join(root, lock));
    if (text === null) continue;
    locks.add(lock);
    // Lock files are machine-written `[[package]]` tables: name, then version.
    for (const m of text.matchAll(/^\[\[package\]\]\s*\r?\nname\s*=\s*"([^"]+)"\s*\r?\nversion\s*=\s*"([^"]+)"/gm)) {
      const name = normalizeName(m[1]!);
      if (!out.locked.has(name)) out.locked.set(name, { version: m[2]!, file: lock });
    }
  }
  if (files.read(join(root, 'Pipfile.lock')) !== null) locks.add('Pipfile.lock');
  markRegenerate(out.lists, (lock) => locks.has(lock));
  return out;
}

/** Which lock pins a list, by its group, and the command that updates it. */
const LOCKED_BY: { lock: string; command: string; pins: RegExp }[] = [
  { lock: 'uv.lock', command: 'uv lock', pins: /^\[(?:project|dependency-groups|tool\.uv)\b/ },
  { lock: 'poetry.lock', command: 'poetry lock', pins: /^\[(?:project|tool\.poetry)\b/ },
  { lock: 'pdm.lock', command: 'pdm lock', pins: /^\[(?:project|dependency-groups|tool\.pdm)\b/ },
  { lock: 'Pipfile.lock', command: 'pipenv lock', pins: /^Pipfile / },
];

/**
 * A list that a lock pins, or that a compiled requirements file is made from, reaches no environment by an
 * edit alone: `uv sync --locked` refuses a pyproject that no longer matches uv.lock, and CI installs the
 * compiled file, not its source.
 */
function markRegenerate(lists: DependencyList[], hasLock: (lock: string) => boolean): void {
  for (const list of lists) {
    const by = LOCKED_BY.find((l) => l.pins.test(list.group) && hasLock(l.lock));
    if (by) list.regenerate = `run \`${by.command}\` (${by.lock} pins ${list.group})`;
  }
  for (const compiled of lists) {
    if (!compiled.compiledFrom) continue;
    const source = compiledSource(lists, compiled);
    if (source) source.regenerate ??= `recompile ${compiled.group} (it is compiled from ${source.group})`;
    // Without a requirements source to edit, a line added here lasts until the next compile.
    else compiled.regenerate ??= `add it where ${compiled.group} is compiled from and recompile it`;
  }
}

/** The requirements file a compiled one is made from (a pyproject source names no one list). */
function compiledSource(lists: DependencyList[], compiled: DependencyList): DependencyList | undefined {
  return lists.find((l) => compiled.compiledFrom?.includes(l.file) && /\.(?:in|txt)$/.test(l.file));
}

/** `[tool.setuptools.dynamic] dependencies = {file = ["requirements.txt"]}` and optional-dependencies. */
function dynamicFiles(ast: NonNullable<ReturnType<typeof parseToml>['ast']>): string[] {
  const outFiles: string[] = [];
  for (const { path, node } of keyValues(ast)) {
    if (path[0] !== 'tool' || path[1] !== 'setuptools' || path[2] !== 'dynamic') continue;
    const collect = (v: TomlContent) => {
      if (v.type === 'TOMLInlineTable') {
        for (const kv of v.body) {
          const k = keyPath(kv.key);
          if (k[0] === 'file') {
            if (kv.value.type === 'TOMLArray')
              for (const el of kv.value.elements) if (el.type === 'TOMLValue' && el.kind === 'string') outFiles.push(String(el.value));
            if (kv.value.type === 'TOMLValue' && kv.value.kind === 'string') outFiles.push(String(kv.value.value));
          } else collect(kv.value);
        }
      }
    };
    if (path[path.length - 1] === 'file' && node.value.type === 'TOMLArray') {
      for (const el of node.value.elements) if (el.type === 'TOMLValue' && el.kind === 'string') outFiles.push(String(el.value));
    } else collect(node.value);
  }
  return outFiles;
}

/** Which PEP 508 arrays of a pyproject hold dependencies, and how to name them. */
function pep508Group(path: string[]): string | null {
  const [a, b, c, d, e] = path;
  if (a === 'project' && b === 'dependencies' && path.length === 2) return '[project] dependencies';
  if (a === 'project' && b === 'optional-dependencies' && path.length === 3) return `[project.optional-dependencies] ${c}`;
  if (a === 'dependency-groups' && path.length === 2) return `[dependency-groups] ${b}`;
  if (a === 'tool' && b === 'uv' && c === 'dev-dependencies' && path.length === 3) return '[tool.uv] dev-dependencies';
  if (a === 'tool' && b === 'pdm' && c === 'dev-dependencies' && path.length === 4) return `[tool.pdm.dev-dependencies] ${d}`;
  if (a === 'tool' && b === 'hatch' && c === 'envs' && path.length === 5 && (e === 'dependencies' || e === 'extra-dependencies'))
    return `[tool.hatch.envs.${d}] ${e}`;
  return null;
}

function pyprojectLists(file: string, text: string, ast: NonNullable<ReturnType<typeof parseToml>['ast']>): DependencyList[] {
  const lists: DependencyList[] = [];
  for (const { path, node } of keyValues(ast)) {
    const group = pep508Group(path);
    if (group && node.value.type === 'TOMLArray') lists.push(tomlArrayList(file, text, node.value, group));
  }
  lists.push(
    ...tableLists(file, text, ast, (p) => {
      if (p[0] !== 'tool' || p[1] !== 'poetry') return null;
      if (p.length === 3 && (p[2] === 'dependencies' || p[2] === 'dev-dependencies')) return `[tool.poetry.${p[2]}]`;
      if (p.length === 5 && p[2] === 'group' && p[4] === 'dependencies') return `[tool.poetry.group.${p[3]}.dependencies]`;
      return null;
    }),
  );
  return lists;
}

function quoteStyle(text: string, node: TomlContent | undefined): string {
  return node && text[node.range[0]] === "'" ? "'" : '"';
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

function lineEnd(text: string, at: number): number {
  const n = text.indexOf('\n', at);
  const end = n < 0 ? text.length : n;
  return text[end - 1] === '\r' ? end - 1 : end;
}

const eolOf = (text: string) => (text.includes('\r\n') ? '\r\n' : '\n');

/** Add an element to a TOML or Python list literal, after its last element, in its layout and quoting. */
function appendToList(
  file: string,
  text: string,
  open: number,
  close: number,
  last: { start: number; end: number } | undefined,
  quoted: string,
): Edit {
  if (!last) return { file, start: open + 1, end: close - 1, text: quoted };
  const multiline = lineStart(text, close - 1) > last.end;
  if (!multiline) return { file, start: last.end, end: last.end, text: `, ${quoted}` };
  // Only the leading whitespace: a line may hold several elements.
  const indent = /^[ \t]*/.exec(text.slice(lineStart(text, last.start), last.start))![0];
  const after = text.slice(last.end, lineEnd(text, last.end));
  // After the line's comma and comment, so a comment stays with the element it describes.
  if (after.trimStart().startsWith(',')) {
    const at = lineEnd(text, last.end);
    return { file, start: at, end: at, text: `${eolOf(text)}${indent}${quoted},` };
  }
  return { file, start: last.end, end: last.end, text: `,${eolOf(text)}${indent}${quoted}` };
}

function tomlArrayList(file: string, text: string, array: TomlArray, group: string): DependencyList {
  const dependencies: DeclaredDependency[] = [];
  const includes: string[] = [];
  for (const el of array.elements) {
    if (el.type === 'TOMLValue' && el.kind === 'string') {
      const requirement = parseRequirement(String(el.value));
      if (requirement) dependencies.push({ requirement, file, group, start: el.range[0], end: el.range[1] });
    } else if (el.type === 'TOMLInlineTable') {
      for (const kv of el.body)
        if (keyPath(kv.key).join('.') === 'include-group' && kv.value.type === 'TOMLValue') includes.push(String(kv.value.value));
    }
  }
  const last = array.elements[array.elements.length - 1];
  return {
    file,
    group,
    dependencies,
    includes,
    add(name, specifier = '') {
      const q = quoteStyle(text, last);
      return appendToList(
        file,
        text,
        array.range[0],
        array.range[1],
        last ? { start: last.range[0], end: last.range[1] } : undefined,
        `${q}${name}${specifier}${q}`,
      );
    },
  };
}

/** Poetry / Pipfile tables: `name = "spec"` or `name = {version = "spec", ...}`, as a table or an inline table. */
function tableLists(
  file: string,
  text: string,
  ast: NonNullable<ReturnType<typeof parseToml>['ast']>,
  groupOf: (path: string[]) => string | null,
): DependencyList[] {
  const byGroup = new Map<string, { table: TomlTable | null; kvs: TomlKeyValue[]; inline: boolean }>();
  for (const { path, node, table } of keyValues(ast)) {
    // `[tool.poetry.group.dev]` + `dependencies = { ... }`, or a dotted key holding the whole table.
    const whole = groupOf(path);
    if (whole && node.value.type === 'TOMLInlineTable') {
      byGroup.set(whole, { table: null, kvs: node.value.body, inline: true });
      continue;
    }
    const group = groupOf(path.slice(0, -1));
    if (!group) continue;
    const entry = byGroup.get(group) ?? { table, kvs: [], inline: table === null };
    entry.kvs.push(node);
    byGroup.set(group, entry);
  }
  const lists: DependencyList[] = [];
  for (const [group, { kvs, inline }] of byGroup) {
    const dependencies: DeclaredDependency[] = [];
    for (const kv of kvs) {
      const name = keyPath(kv.key).slice(-1)[0]!;
      if (name === 'python') continue;
      let spec = '';
      let marker: string | null = null;
      if (kv.value.type === 'TOMLValue' && kv.value.kind === 'string') spec = String(kv.value.value);
      else if (kv.value.type === 'TOMLInlineTable') {
        for (const inner of kv.value.body) {
          const k = keyPath(inner.key).join('.');
          if (k === 'version' && inner.value.type === 'TOMLValue') spec = String(inner.value.value);
          if (k === 'markers' && inner.value.type === 'TOMLValue') marker = String(inner.value.value);
        }
      }
      dependencies.push({
        requirement: { name: normalizeName(name), written: name, extras: [], specifier: spec === '*' ? '' : spec, marker },
        file,
        group,
        start: kv.range[0],
        end: kv.range[1],
      });
    }
    const last = kvs[kvs.length - 1];
    lists.push({
      file,
      group,
      dependencies,
      includes: [],
      add(name, specifier = '') {
        if (inline || !last) return null;
        const q = quoteStyle(text, last.value);
        const at = lineEnd(text, last.range[1]);
        return { file, start: at, end: at, text: `${eolOf(text)}${name} = ${q}${specifier || '*'}${q}` };
      },
    });
  }
  return lists;
}

/** setup.cfg / tox.ini: one requirement per line of an INI value. */
function iniList(file: string, text: string, entry: IniEntry, group: string): DependencyList {
  const dependencies: DeclaredDependency[] = [];
  const lines = [entry.keyLine, ...entry.continuations];
  for (const line of lines) {
    const data = text.slice(line.dataStart, line.dataEnd);
    const requirement = data && !data.startsWith('-') && !data.startsWith('#') ? parseRequirement(data) : null;
    if (requirement) dependencies.push({ requirement, file, group, start: line.dataStart!, end: line.dataEnd! });
  }
  return {
    file,
    group,
    dependencies,
    includes: [],
    add(name, specifier = '') {
      const last = entry.continuations[entry.continuations.length - 1];
      // One requirement per line: the key line alone (`deps = pytest`) has no layout to follow.
      if (!last) return null;
      const indent = text.slice(last.start, last.dataStart);
      return { file, start: last.end, end: last.end, text: `${eolOf(text)}${indent}${name}${specifier}` };
    },
  };
}

function pythonList(file: string, text: string, list: PythonList, group: string): DependencyList {
  const dependencies: DeclaredDependency[] = [];
  for (const item of list.items) {
    const requirement = parseRequirement(item.value);
    if (requirement) dependencies.push({ requirement, file, group, start: item.start, end: item.end });
  }
  const last = list.items[list.items.length - 1];
  return {
    file,
    group,
    dependencies,
    includes: [],
    add(name, specifier = '') {
      if (!list.complete) return null;
      const q = last && text[last.start] === "'" ? "'" : '"';
      return appendToList(file, text, list.start, list.end, last, `${q}${name}${specifier}${q}`);
    },
  };
}

/** Every declaration of a distribution, in reading order. */
export function declarationsOf(deps: ProjectDependencies, name: string): DeclaredDependency[] {
  const n = normalizeName(name);
  return deps.lists.flatMap((l) => l.dependencies.filter((d) => d.requirement.name === n));
}

/** The normalized names of every declared distribution. */
export function declaredNames(deps: ProjectDependencies): Set<string> {
  return new Set(deps.lists.flatMap((l) => l.dependencies.map((d) => d.requirement.name)));
}

/**
 * The list a test plugin belongs in: the one that already holds pytest (a test or dev group, never the main
 * dependencies a library's users install), else one holding a pytest plugin (pytest itself then comes in
 * through it), else a group named for tests or development. Undefined when there is none.
 */
export function testDependencyList(deps: ProjectDependencies): DependencyList | undefined {
  return testDependencyLists(deps)[0];
}

/**
 * Every list a test plugin must join so that each environment that installs pytest also gets it (a CI job
 * may install requirements-ci.txt and another requirements-win-test.txt; `required_plugins` stops pytest in
 * any of them that lacks the plugin): the lists holding pytest, a compiled file's source in place of the
 * file, less those that pull another chosen list in with `-r`. Otherwise the one list `testDependencyList`
 * chose before (a list with a pytest plugin, or a group named for tests).
 */
export function testDependencyLists(deps: ProjectDependencies): DependencyList[] {
  const holders = nonMainLists(deps).filter((l) => l.dependencies.some((d) => d.requirement.name === 'pytest'));
  const chosen: DependencyList[] = [];
  for (const list of holders) {
    const source = compiledSource(deps.lists, list);
    const pick = source ?? list;
    if (!chosen.includes(pick)) chosen.push(pick);
  }
  // `-r other.txt`, or a PEP 735 `{include-group = "test"}`: the other list is installed with this one.
  const pulledIn = (l: DependencyList) =>
    chosen.some((o) => o !== l && (l.requires?.includes(o.file) || l.includes.some((g) => o.group === `[dependency-groups] ${g}`)));
  const independent = chosen.filter((l) => !pulledIn(l));
  if (independent.length > 0) return independent;
  const fallback = testDependencyListWithoutPytest(deps);
  return fallback ? [fallback] : [];
}

function nonMainLists(deps: ProjectDependencies): DependencyList[] {
  const main = (l: DependencyList) =>
    l.group === '[project] dependencies' ||
    l.group === '[tool.poetry.dependencies]' ||
    l.group === 'Pipfile [packages]' ||
    l.group.endsWith('install_requires');
  return deps.lists.filter((l) => !main(l));
}

function testDependencyListWithoutPytest(deps: ProjectDependencies): DependencyList | undefined {
  const candidates = nonMainLists(deps);
  const holds = (l: DependencyList, test: (name: string) => boolean) => l.dependencies.some((d) => test(d.requirement.name));
  return (
    candidates.find((l) => holds(l, (n) => n.startsWith('pytest-'))) ??
    candidates.find((l) => /\b(tests?|testing|dev)\b/i.test(l.group.replace(/requirements[-_]?/i, '')))
  );
}
