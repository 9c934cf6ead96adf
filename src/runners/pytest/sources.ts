/**
 * What pytest sees in Python sources: fixtures (with their scope and loop scope as written), tests, marks
 * (decorators and `pytestmark`), recognised through the names the module actually binds —
 * `import pytest as pt`, `from pytest import fixture`, `import pytest_asyncio as pa`, `from pytest import mark`.
 */
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { FileProblem } from '../../core/diagnostic.js';
import { isFile, walkDirs } from '../../core/walk.js';
import type { Workspace } from '../../core/workspace.js';
import { parsePython, type Argument, type Call, type Decorator, type FunctionDef, type PythonModule, type Range } from '../../formats/python.js';
import { listValue } from './config.js';
import { expandTestpath, fnmatchRegExp, type PytestTarget } from './target.js';

export type FixtureKind = 'pytest' | 'pytest_asyncio';

export interface ScopeArg {
  /** The scope as written, or null when it is not a plain string (a variable, a callable). */
  value: string | null;
  arg: Argument;
}

export interface FixtureInfo {
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
  /** Functions taking part in pytest: tests and fixtures (for requests of `event_loop`). */
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
  if (parts.length === 3 && b.pytest.includes(parts[0]!) && parts[1] === 'mark') return parts[2]!;
  if (parts.length === 2 && b.mark.includes(parts[0]!)) return parts[1]!;
  return null;
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
        fixtures.push({ fn, decorator, kind, scope: scopeArg(decorator.call, 'scope', true), loopScope: scopeArg(decorator.call, 'loop_scope', false) });
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
  return { file, module, fixtures, marks, functions: module.functions, names: { pytest: b.pytest, pytestAsyncio: b.pytestAsyncio } };
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
export function sourceFilesOf(target: PytestTarget): string[] {
  const patterns = listValue(target.config, 'python_files', 'args');
  const res = (patterns.length > 0 ? patterns : DEFAULT_PYTHON_FILES).map(fnmatchRegExp);
  const testpaths = listValue(target.config, 'testpaths', 'args');
  const roots = testpaths.length > 0 ? testpaths.flatMap((p) => expandTestpath(target.rootDir, p)) : [target.rootDir];
  const out = new Set<string>();
  for (const root of roots) {
    // A module named in testpaths is collected whatever its name.
    if (root.endsWith('.py') && isFile(root)) out.add(root);
    for (const { dir, entries } of walkDirs(root)) {
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
export const KNOWN_MARKS: ReadonlySet<string> = new Set(['skip', 'skipif', 'xfail', 'parametrize', 'usefixtures', 'filterwarnings', 'asyncio', 'timeout', 'no_cover', 'xdist_group']);

/**
 * Whether a file can hold anything a source rule reports, judged on its text before parsing (most test
 * modules cannot: no async fixture, no event_loop, no asyncio mark, only registered marks). Conservative:
 * every construct the rules read needs these words in the text, and a mark reached through an alias
 * (`from pytest import mark as m`) sends the file to the parser.
 */
export function mayMatter(text: string, registered: ReadonlySet<string> | null): boolean {
  if (text.includes('event_loop') || text.includes('asyncio')) return true;
  if (text.includes('async') && text.includes('fixture')) return true;
  if (registered === null) return false;
  if (/\bmark\s+as\b/.test(text)) return true;
  for (const m of text.matchAll(/\bmark\s*\.\s*(\w+)/g)) if (!KNOWN_MARKS.has(m[1]!) && !registered.has(m[1]!)) return true;
  return false;
}

/** Parsed sources, cached per workspace and text, so fix passes reparse only what changed. */
const cache = new WeakMap<Workspace, Map<string, { text: string; source: PytestSource }>>();

/**
 * Parse the files that may matter (see mayMatter; `registeredMarks(file)` gives the marks the file's config
 * registers when strict markers are on, else null) and return them analysed.
 */
export async function loadSources(
  ws: Workspace,
  files: readonly string[],
  problems: FileProblem[],
  registeredMarks: (file: string) => ReadonlySet<string> | null = () => null,
): Promise<PytestSource[]> {
  let byFile = cache.get(ws);
  if (!byFile) {
    byFile = new Map();
    cache.set(ws, byFile);
  }
  const out: PytestSource[] = [];
  for (const file of files) {
    const text = ws.text(file);
    if (text === null) {
      const p = ws.problem(file);
      if (p) problems.push(p);
      continue;
    }
    if (!mayMatter(text, registeredMarks(file))) continue;
    const hit = byFile.get(file);
    let source: PytestSource;
    if (hit && hit.text === text) source = hit.source;
    else {
      source = analyzeSource(file, await parsePython(text));
      byFile.set(file, { text, source });
    }
    if (source.module.syntaxError) {
      const { line, column } = source.module.syntaxError;
      problems.push({ file, line, column, message: 'Python syntax error: findings elsewhere in the file are reported, but nothing is written' });
    }
    out.push(source);
  }
  return out;
}
