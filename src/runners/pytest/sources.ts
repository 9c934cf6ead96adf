/**
 * What pytest sees in Python sources: fixtures (with their scope and loop scope as written), tests, marks
 * (decorators and `pytestmark`), recognised through the names the module actually binds —
 * `import pytest as pt`, `from pytest import fixture`, `import pytest_asyncio as pa`, `from pytest import mark`.
 */
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { FileProblem } from '../../core/diagnostic.js';
import { isFile, walkDirs, type WalkOptions } from '../../core/walk.js';
import type { Workspace } from '../../core/workspace.js';
import {
  expectPython,
  parsePython,
  type Argument,
  type Call,
  type Decorator,
  type FunctionDef,
  type PythonModule,
  type Range,
} from '../../formats/python.js';
import { listValue } from './config.js';
import { PYTEST_MARKS } from './plugins.js';
import { expandTestpath, fnmatchRegExp, type PytestTarget } from './target.js';

export type FixtureKind = 'pytest' | 'pytest_asyncio';

export interface ScopeArg {
  /** The scope as written, or null when it is not a plain string (a variable, a callable). */
  value: string | null;
  arg: Argument;
}

export interface FixtureInfo {
  /** The name tests and fixtures request it by: `name=` where it is a plain string, else the function's. */
  name: string;
  fn: FunctionDef;
  decorator: Decorator;
  kind: FixtureKind;
  scope: ScopeArg | null;
  loopScope: ScopeArg | null;
}

export interface MarkUse extends Range {
  name: string;
  call: Call;
  /** `decorator` on a test or class, or a `pytestmark` assignment. */
  via: 'decorator' | 'pytestmark';
}

export interface PytestSource {
  file: string;
  module: PythonModule;
  fixtures: FixtureInfo[];
  marks: MarkUse[];
  /**
   * The functions a rule can act on: fixtures, and functions whose parameters were read (they name
   * `event_loop`: requests of it). A model keeps no other function (see analyzeSource).
   */
  functions: FunctionDef[];
  /** Names bound to the modules: what a new reference can use (`pytest_asyncio` if imported as such). */
  names: { pytest: string[]; pytestAsyncio: string[] };
}

const DEFAULT_PYTHON_FILES = ['test_*.py', '*_test.py'];

/** The names a module binds to pytest, pytest_asyncio, their `fixture` and pytest's `mark`. */
function bindings(module: PythonModule) {
  const pytest: string[] = [];
  const pytestAsyncio: string[] = [];
  const fixture = new Map<string, FixtureKind>();
  const mark: string[] = [];
  for (const imp of module.imports) {
    if (imp.name === null) {
      if (imp.module === 'pytest') pytest.push(imp.alias);
      if (imp.module === 'pytest_asyncio') pytestAsyncio.push(imp.alias);
    } else if ((imp.module === 'pytest' || imp.module === 'pytest_asyncio') && imp.name === 'fixture') {
      fixture.set(imp.alias, imp.module);
    } else if (imp.module === 'pytest' && imp.name === 'mark') mark.push(imp.alias);
  }
  return { pytest, pytestAsyncio, fixture, mark };
}

function fixtureKind(callee: string | null, b: ReturnType<typeof bindings>): FixtureKind | null {
  if (!callee) return null;
  const dot = callee.lastIndexOf('.');
  if (dot < 0) return b.fixture.get(callee) ?? null;
  if (callee.slice(dot + 1) !== 'fixture') return null;
  const owner = callee.slice(0, dot);
  if (b.pytest.includes(owner)) return 'pytest';
  if (b.pytestAsyncio.includes(owner)) return 'pytest_asyncio';
  return null;
}

/** `pytest.mark.slow`, `pt.mark.slow(...)`, `mark.slow` → `slow`. */
export function markName(callee: string | null, b: { pytest: string[]; mark: string[] }): string | null {
  if (!callee) return null;
  const parts = callee.split('.');
  if (parts.length === 3 && b.pytest.includes(parts[0]!) && parts[1] === 'mark') return internMark(parts[2]!);
  if (parts.length === 2 && b.mark.includes(parts[0]!)) return internMark(parts[1]!);
  return null;
}

/** One string per distinct mark name, however many modules use it (models of every module may be held at once). */
const markNames = new Map<string, string>();
function internMark(name: string): string {
  const hit = markNames.get(name);
  if (hit !== undefined) return hit;
  if (markNames.size >= 4096) markNames.clear();
  markNames.set(name, name);
  return name;
}

function scopeArg(call: Call, name: string, positional: boolean): ScopeArg | null {
  const items = call.args?.items ?? [];
  const arg = items.find((a) => a.name === name) ?? (positional ? items.find((a, i) => i === 0 && a.name === null) : undefined);
  if (!arg) return null;
  return { value: arg.string, arg };
}

export function analyzeSource(file: string, module: PythonModule): PytestSource {
  const b = bindings(module);
  const fixtures: FixtureInfo[] = [];
  const marks: MarkUse[] = [];
  for (const fn of module.functions) {
    for (const decorator of fn.decorators) {
      const kind = fixtureKind(decorator.call.callee, b);
      if (kind) {
        fixtures.push({
          name: scopeArg(decorator.call, 'name', false)?.value ?? fn.name,
          fn,
          decorator,
          kind,
          scope: scopeArg(decorator.call, 'scope', true),
          loopScope: scopeArg(decorator.call, 'loop_scope', false),
        });
        continue;
      }
      const name = markName(decorator.call.callee, b);
      if (name) marks.push({ start: decorator.call.start, end: decorator.call.end, name, call: decorator.call, via: 'decorator' });
    }
  }
  for (const a of module.assignments) {
    if (a.target !== 'pytestmark') continue;
    for (const value of a.values) {
      const name = markName(value.callee, b);
      if (name) marks.push({ start: value.start, end: value.end, name, call: value, via: 'pytestmark' });
    }
  }
  // Class decorators are not in `functions`; their marks come through the same decorator syntax, so a
  // class's `@pytest.mark.x` is read from the text of decorated classes below.
  for (const m of classDecoratorMarks(module, b)) marks.push(m);
  // A run over thousands of modules holds every model until its rules ran: keep only the functions a rule
  // can act on (and the first top-level one, where a new import goes when the module has none), not every
  // test. Marks keep their calls.
  const fixtureFns = new Set(fixtures.map((f) => f.fn));
  const firstTopLevel = module.functions.find((f) => f.className === null);
  const functions = module.functions.filter((fn) => fixtureFns.has(fn) || fn.params.length > 0);
  return {
    file,
    module: { ...module, functions: module.functions.filter((fn) => fn === firstTopLevel || fixtureFns.has(fn) || fn.params.length > 0) },
    fixtures,
    marks,
    functions,
    names: { pytest: b.pytest, pytestAsyncio: b.pytestAsyncio },
  };
}

function classDecoratorMarks(module: PythonModule, b: ReturnType<typeof bindings>): MarkUse[] {
  return module.classDecorators.flatMap((d) => {
    const name = markName(d.call.callee, b);
    return name ? [{ start: d.call.start, end: d.call.end, name, call: d.call, via: 'decorator' as const }] : [];
  });
}

/**
 * The Python files pytest would read for a config: every conftest.py and every module matching
 * `python_files` under the collected roots (testpaths, else the config's directory), plus the conftest.py
 * files between the config and those roots.
 */
export function sourceFilesOf(target: PytestTarget, walk?: WalkOptions): string[] {
  // Asked for by the source reading, the project's plugin lookup and the fixture graph: one walk of the
  // roots per target and walk (a fix pass makes new targets, so a file a fix creates is seen).
  let byWalk = sourceFiles.get(target);
  if (!byWalk) sourceFiles.set(target, (byWalk = new Map()));
  const options = walk ?? target.listing;
  let files = byWalk.get(options ?? null);
  if (!files) byWalk.set(options ?? null, (files = listSourceFiles(target, options)));
  return files;
}

const sourceFiles = new WeakMap<PytestTarget, Map<WalkOptions | null, string[]>>();

function listSourceFiles(target: PytestTarget, walk?: WalkOptions): string[] {
  const patterns = listValue(target.config, 'python_files', 'args');
  const res = (patterns.length > 0 ? patterns : DEFAULT_PYTHON_FILES).map(fnmatchRegExp);
  const testpaths = listValue(target.config, 'testpaths', 'args');
  const roots = testpaths.length > 0 ? testpaths.flatMap((p) => expandTestpath(target.rootDir, p)) : [target.rootDir];
  const out = new Set<string>();
  for (const root of roots) {
    // A module named in testpaths is collected whatever its name.
    if (root.endsWith('.py') && isFile(root)) out.add(root);
    for (const { dir, entries } of walkDirs(root, walk)) {
      for (const e of entries) {
        if (!e.isFile() || !e.name.endsWith('.py')) continue;
        if (e.name === 'conftest.py' || res.some((r) => r.test(e.name))) out.add(join(dir, e.name));
      }
    }
    // conftest.py files from the config's directory down to the root apply too (where they exist, as pytest checks).
    for (let d = resolve(root); d.startsWith(target.rootDir) && d.length >= target.rootDir.length; d = dirname(d)) {
      if (isFile(join(d, 'conftest.py'))) out.add(join(d, 'conftest.py'));
      if (d === target.rootDir || dirname(d) === d) break;
    }
  }
  return [...out].filter((f) => !f.split(sep).includes('node_modules')).sort();
}

export const isPythonSource = (file: string) => file.endsWith('.py');
export const isConftest = (file: string) => basename(file) === 'conftest.py';

/** Marks pytest and the plugins netra-migrate knows register. */
export const KNOWN_MARKS: ReadonlySet<string> = new Set([...PYTEST_MARKS, 'asyncio', 'timeout', 'no_cover', 'xdist_group']);

/** What the prefilter keeps of a file's text: enough to decide for any set of registered marks. */
export interface TextFeatures {
  /** Something a source rule may report on whatever the config registers (see mayMatter). */
  strong: boolean;
  /** Mark names used (`mark.NAME`) that neither pytest nor a known plugin registers. */
  marks: string[];
  /** A mark reached through an alias (`from pytest import mark as m`): only a parse tells its names. */
  markAlias: boolean;
  /** The text says `fixture` or `pytest_plugins`: it may define or load fixtures (the fixture graph reads it). */
  fixtures?: boolean;
}

// `scope=`, `loop_scope=`, or a fixture given a positional argument (its scope): what can make an async
// fixture wider than a test, or give the asyncio mark a scope.
const SCOPE_ARG = /\b(?:loop_)?scope\s*=(?!=)|\bfixture\s*\(\s*(?![A-Za-z_]\w*\s*=(?!=)|\))/g;
const NEXT_DEF = /^[ \t]*(async[ \t]+)?(def|class)\b/gm;

/**
 * Whether the scope argument at `at` can matter: it does unless it is plainly an argument of a fixture
 * decorator on a sync `def` (sync fixtures are no source rule's business). Anything less plain (the asyncio
 * mark, a fixture alias, a call form, a decorator followed by a blank line) counts.
 */
function scopeMayMatter(text: string, at: number): boolean {
  const fixture = text.lastIndexOf('fixture', at);
  const asyncio = text.lastIndexOf('asyncio', at);
  // On the asyncio mark only `scope=` is reported; `loop_scope=` is what the fix writes (a fixed file is
  // then not parsed again in the next fix pass).
  if (asyncio > fixture && at - asyncio < 300 && /^[ \t]*@[\w. \t]*$/.test(text.slice(text.lastIndexOf('\n', asyncio) + 1, asyncio))) {
    return !text.startsWith('loop_', at);
  }
  if (fixture < 0 || at - fixture > 300 || asyncio > fixture) return true;
  // The fixture call must open a decorator line: `@...fixture(`.
  const lineStart = text.lastIndexOf('\n', fixture) + 1;
  if (!/^[ \t]*@[\w. \t]*$/.test(text.slice(lineStart, fixture))) return true;
  NEXT_DEF.lastIndex = at;
  const def = NEXT_DEF.exec(text);
  if (!def || def[2] !== 'def') return true;
  // Only decorator lines between the call and its def: no blank line, no other statement.
  if (/\n[ \t]*\n/.test(text.slice(at, def.index))) return true;
  return def[1] !== undefined;
}

export function textFeatures(text: string): TextFeatures {
  const markAlias = /\bmark\s+as\b/.test(text);
  // A suppression comment must be seen to be reported when it suppresses nothing (unused-suppression).
  // `event_loop` as a name of its own: `asyncio.get_event_loop()` and `new_event_loop()` are no fixture.
  let strong = /\bevent_loop\b/.test(text) || text.includes('netra-migrate') || /\bfixture\s+as\b/.test(text);
  if (!strong) {
    for (const m of text.matchAll(SCOPE_ARG)) {
      if (scopeMayMatter(text, m.index)) {
        strong = true;
        break;
      }
    }
  }
  const marks = new Set<string>();
  if (text.includes('mark')) for (const m of text.matchAll(/\bmark\s*\.\s*(\w+)/g)) if (!KNOWN_MARKS.has(m[1]!)) marks.add(m[1]!);
  return { strong, marks: [...marks], markAlias, fixtures: text.includes('fixture') || text.includes('pytest_plugins') };
}

export function featuresMatter(f: TextFeatures, registered: ReadonlySet<string> | null): boolean {
  if (f.strong) return true;
  if (registered === null) return false;
  return f.markAlias || f.marks.some((m) => !registered.has(m));
}

/**
 * Whether a file can hold anything a source rule reports, judged on its text before parsing (most test
 * modules cannot: no wider-scoped async fixture, no `event_loop`, no scoped asyncio mark, only registered
 * marks; `registered` is null when strict markers are off). Conservative: every construct the rules read
 * needs these words in the text, and whatever is not plainly irrelevant (an alias, an unusual layout)
 * sends the file to the parser. test/sources.test.ts checks it against the rules' own findings.
 */
export function mayMatter(text: string, registered: ReadonlySet<string> | null): boolean {
  return featuresMatter(textFeatures(text), registered);
}

/** Parsed sources, cached per workspace and text, so fix passes reparse only what changed. */
const cache = new WeakMap<Workspace, Map<string, { text: string; source: PytestSource }>>();
/** The prefilter's reading of each file a run left unparsed: a fix pass decides again without re-reading. */
const skipped = new WeakMap<Workspace, Map<string, TextFeatures>>();

/**
 * Parse the files that may matter (see mayMatter; `registeredMarks(file)` gives the marks the file's config
 * registers when strict markers are on, else null) and return them analysed. The text of a file that does
 * not matter is released as soon as it is judged, so a run holds the texts of the files it reports on only.
 */
export async function loadSources(
  ws: Workspace,
  files: readonly string[],
  problems: FileProblem[],
  registeredMarks: (file: string) => ReadonlySet<string> | null = () => null,
  /** The project's interpreter for a file (`--python`, or its `.venv/`): its Python version decides validity. */
  interpreterOf: (file: string) => string | null = () => null,
): Promise<PytestSource[]> {
  let byFile = cache.get(ws);
  if (!byFile) {
    byFile = new Map();
    cache.set(ws, byFile);
  }
  let judged = skipped.get(ws);
  if (!judged) {
    judged = new Map();
    skipped.set(ws, judged);
  }
  // Judged first, parsed after: the parser is told how much Python the run reads before it starts (see
  // expectPython). Problems keep the files' order.
  const steps: ({ file: string; text: string } | FileProblem)[] = [];
  let bytes = 0;
  for (const [i, file] of files.entries()) {
    ws.progress?.(i + 1, files.length);
    const known = ws.edited(file) ? undefined : (judged.get(file) ?? (ws.cachedFact(file) as TextFeatures | undefined));
    if (known && !featuresMatter(known, registeredMarks(file))) {
      judged.set(file, known);
      continue;
    }
    const text = ws.text(file);
    if (text === null) {
      const p = ws.problem(file);
      if (p) steps.push(p);
      continue;
    }
    const features = textFeatures(text);
    ws.rememberFact(file, features);
    if (!featuresMatter(features, registeredMarks(file))) {
      judged.set(file, features);
      // A module a fix pass made irrelevant drops the model of its earlier text too.
      byFile.delete(file);
      ws.release(file);
      continue;
    }
    steps.push({ file, text });
    if (byFile.get(file)?.text !== text) bytes += text.length;
  }
  expectPython(bytes);
  const out: PytestSource[] = [];
  for (const step of steps) {
    if (!('text' in step)) {
      problems.push(step);
      continue;
    }
    const { file, text } = step;
    const hit = byFile.get(file);
    let source: PytestSource;
    if (hit && hit.text === text) source = hit.source;
    else {
      source = analyzeSource(file, await parsePython(text, interpreterOf(file)));
      byFile.set(file, { text, source });
    }
    if (source.module.syntaxError) {
      const { line, column, detail } = source.module.syntaxError;
      problems.push({
        file,
        line,
        column,
        message: `Python syntax error${detail ? ` (${detail})` : ''}: findings elsewhere in the file are reported, but the file is not written`,
      });
    }
    out.push(source);
  }
  return out;
}
