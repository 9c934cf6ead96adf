/**
 * The fixture request graph of a config's sources, for the one question `function-loop-scope` asks: does
 * turning `asyncio_default_fixture_loop_scope` to `function` (and giving each wider-cached async fixture
 * `loop_scope=` equal to its scope) separate an async fixture from an async fixture it uses? Requests are
 * followed by parameter name with pytest's visibility: the same module (its class first), conftest.py in the
 * module's directory and each one above it up to the rootdir, then local `pytest_plugins` modules.
 */
import { dirname, join } from 'node:path';
import { parsePython } from '../../formats/python.js';
import { analyzeSource, isConftest, sourceFilesOf, type FixtureInfo, type PytestSource, type TextFeatures } from './sources.js';
import type { PytestTarget } from './target.js';

/** Fixtures pytest and the plugins of the local index provide: all sync, none requests a user fixture. */
const PROVIDED: ReadonlySet<string> = new Set([
  'request',
  'self',
  'cls',
  'cache',
  'capfd',
  'capfdbinary',
  'caplog',
  'capsys',
  'capsysbinary',
  'capteesys',
  'doctest_namespace',
  'monkeypatch',
  'pytestconfig',
  'pytester',
  'testdir',
  'record_property',
  'record_testsuite_property',
  'record_xml_attribute',
  'recwarn',
  'subtests',
  'tmp_path',
  'tmp_path_factory',
  'tmpdir',
  'tmpdir_factory',
  // pytest-asyncio (sync helpers)
  'event_loop_policy',
  'unused_tcp_port',
  'unused_tcp_port_factory',
  'unused_udp_port',
  'unused_udp_port_factory',
  // pytest-mock, pytest-xdist, pytest-benchmark, pytest-cov
  'mocker',
  'class_mocker',
  'module_mocker',
  'package_mocker',
  'session_mocker',
  'worker_id',
  'testrun_uid',
  'benchmark',
  'benchmark_weave',
  'no_cover',
  'cov',
]);

interface Node {
  source: PytestSource;
  fixture: FixtureInfo;
}

export type LoopVerdict = { safe: true } | { safe: false; reason: string };

/** Parsed modules the run's prefilter skipped (no scope argument in them), by file and text. */
const parsed = new Map<string, { text: string; source: PytestSource }>();

async function parse(file: string, text: string): Promise<PytestSource> {
  const hit = parsed.get(file);
  if (hit && hit.text === text) return hit.source;
  const source = analyzeSource(file, await parsePython(text));
  if (parsed.size >= 2048) parsed.clear();
  parsed.set(file, { text, source });
  return source;
}

/** `pytest_plugins = ["a.b", ...]` at module level: the dotted names given as string literals. */
function pluginNames(source: PytestSource): string[] {
  const out: string[] = [];
  for (const a of source.module.assignments) {
    if (a.target !== 'pytest_plugins' || a.className !== null) continue;
    for (const m of source.module.text.slice(a.start, a.end).matchAll(/["']([\w.]+)["']/g)) out.push(m[1]!);
  }
  return out;
}

/**
 * Every module of the config that defines or loads fixtures: the run's parsed sources, the others pytest
 * would read (only those whose text says `fixture`), and local `pytest_plugins` modules. A module that does
 * not parse is a reason to stay unsafe.
 */
type Governed = { sources: PytestSource[]; plugins: PytestSource[]; unreadable: string | null };
/** Per analysis pass: a pass attaches a new `sources` array to each target it reads. */
const governed = new WeakMap<PytestSource[], Promise<Governed>>();

function governedSources(target: PytestTarget): Promise<Governed> {
  const key = target.sources ?? [];
  let hit = governed.get(key);
  if (!hit) governed.set(key, (hit = readGoverned(target)));
  return hit;
}

/** Local modules named in `pytest_plugins` that the run's own source reading left out (they define fixtures too). */
export async function localPluginSources(target: PytestTarget): Promise<PytestSource[]> {
  if (!target.sources) return [];
  const own = new Set(target.sources.map((s) => s.file));
  return (await governedSources(target)).plugins.filter((s) => !own.has(s.file));
}

async function readGoverned(target: PytestTarget): Promise<Governed> {
  const byFile = new Map((target.sources ?? []).map((s) => [s.file, s]));
  for (const file of sourceFilesOf(target)) {
    if (byFile.has(file)) continue;
    // A module an earlier run judged, unchanged since, whose text says neither word: skipped unread (the cache).
    if ((target.cachedFact?.(file) as TextFeatures | undefined)?.fixtures === false) continue;
    const text = target.read(file);
    if (text === null || !(text.includes('fixture') || text.includes('pytest_plugins'))) continue;
    if (mayTakePart(file, text)) byFile.set(file, await parse(file, text));
  }
  const plugins: PytestSource[] = [];
  const seen = new Set<string>();
  for (const source of [...byFile.values()]) {
    for (const name of pluginNames(source)) {
      const rel = name.split('.');
      for (const base of [target.rootDir, join(target.rootDir, 'src')]) {
        const file = [join(base, ...rel) + '.py', join(base, ...rel, '__init__.py')].find((f) => target.read(f) !== null);
        if (!file) continue;
        if (!seen.has(file)) {
          seen.add(file);
          plugins.push(byFile.get(file) ?? (await parse(file, target.read(file)!)));
        }
        break;
      }
    }
  }
  const broken = [...byFile.values(), ...plugins].find((s) => s.module.syntaxError);
  return { sources: [...byFile.values()], plugins, unreadable: broken ? broken.file : null };
}

/**
 * Whether a module that says `fixture` can change loopSplit's verdict, judged on its text. A test module's
 * fixtures are seen only by its own fixtures and tests (resolve: the module, its conftest.py files, local
 * plugins), so one with no async fixture is on no chain from one: it matters only when it may define an async
 * fixture (the word `fixture` before an `async def`, or an alias of `fixture`), gives asyncio marks a loop
 * scope, or loads plugins. A conftest.py is always read (one that does not parse keeps the fix unsafe). Most
 * test modules of an async suite say `fixture` and define only sync ones; tree-sitter reads Python at about
 * 5 MB/s, and parsing them was most of a run on such a repository (66 modules, 1.5 MB, on pytest's own).
 */
export function mayTakePart(file: string, text: string): boolean {
  if (isConftest(file) || text.includes('pytest_plugins') || /\bfixture\s+as\b/.test(text)) return true;
  if (text.includes('asyncio') && /\b(?:loop_)?scope\s*=/.test(text)) return true;
  // The decorators of an `async def` sit between it and the line of the definition before it.
  let previous = 0;
  for (const d of text.matchAll(DEF_LINE)) {
    if (d[1] !== undefined && FIXTURE_WORD.test(text.slice(previous, d.index))) return true;
    previous = d.index;
  }
  return false;
}

/** A line that starts a definition: its `async` (spaces or a line continuation before `def`) captured. */
const DEF_LINE = /^[ \t\f]*(async(?:[ \t\f]|\\\r?\n)+)?(?:def|class)\b/gm;
/** `fixture` as a word (`pytest.fixture`, `@fixture`), not inside `usefixtures`. */
const FIXTURE_WORD = /(?<![A-Za-z0-9_])fixture(?![A-Za-z0-9_])/;

const scopeOf = (f: FixtureInfo) => f.scope?.value ?? 'function';

/**
 * Whether the fix keeps every async fixture in the same loop as each async fixture it uses (directly or
 * through other fixtures), and in the same loop as the tests that share one with it today. `oldDefault` is the
 * key's value today (null: unset, a loop as wide as the cache); `testLoop` the config's
 * `asyncio_default_test_loop_scope` (marks' `loop_scope=` are read from the sources).
 */
export async function loopSplit(target: PytestTarget, oldDefault: string | null, testLoop = 'function'): Promise<LoopVerdict> {
  if (!target.sources) return { safe: false, reason: 'the test sources were not read' };
  const oldLoop = (f: FixtureInfo) => f.loopScope?.value ?? oldDefault ?? scopeOf(f);
  const newLoop = (f: FixtureInfo) => f.loopScope?.value ?? scopeOf(f);
  const { sources, plugins, unreadable } = await governedSources(target);
  if (unreadable) return { safe: false, reason: `${rel(target, unreadable)} does not parse, so the fixtures it defines are unknown` };
  // No async fixture changes loop (the key unset, or every one already in the loop of its scope): nothing moves.
  const moves = (f: FixtureInfo) => f.fn.async && oldLoop(f) !== newLoop(f);
  if (![...sources, ...plugins].some((s) => s.fixtures.some(moves))) return { safe: true };
  // Tests run in their own loop (asyncio_default_test_loop_scope, or a mark's loop_scope): an async fixture that
  // shares it today and leaves it after the fix hands the test what it built in another loop.
  const testLoops = new Set([testLoop]);
  for (const source of sources) {
    for (const mark of source.marks) {
      if (mark.name !== 'asyncio') continue;
      const arg = mark.call.args?.items.find((a) => a.name === 'loop_scope' || a.name === 'scope');
      if (!arg) continue;
      if (arg.string === null) {
        return {
          safe: false,
          reason: `${rel(target, source.file)} gives tests a loop scope that is not a literal (${arg.text}), so which loop they share cannot be told`,
        };
      }
      testLoops.add(arg.string);
    }
  }
  for (const source of [...sources, ...plugins]) {
    for (const f of source.fixtures.filter(moves)) {
      const shared = [...testLoops].find((t) => oldLoop(f) === t && newLoop(f) !== t);
      if (shared) {
        return {
          safe: false,
          reason: `${describe([{ source, fixture: f }], target)}: tests run in the ${shared} loop, where ${f.name} runs today; after the fix it would run in the ${newLoop(f)} loop, so what it builds fails in the test ("attached to a different loop")`,
        };
      }
    }
  }
  const inModule = new Map<PytestSource, Node[]>();
  for (const source of [...sources, ...plugins])
    inModule.set(
      source,
      source.fixtures.map((fixture) => ({ source, fixture })),
    );
  const conftests = new Map(sources.filter((s) => isConftest(s.file)).map((s) => [dirname(s.file), s]));
  const pluginNodes = plugins.flatMap((s) => inModule.get(s)!);
  const last = (nodes: Node[], name: string, skip: Node) => nodes.filter((n) => n !== skip && n.fixture.name === name).at(-1);

  /** The fixture `name` resolves to when `from` requests it; null for a fixture pytest or a known plugin provides; undefined when unknown. */
  const resolve = (from: Node, name: string): Node | null | undefined => {
    // A fixture requesting its own name gets the one it overrides: look past its own module.
    const overriding = from.fixture.name === name;
    if (!overriding) {
      const own = inModule.get(from.source)!;
      const cls = from.fixture.fn.className;
      const hit =
        (cls !== null
          ? last(
              own.filter((n) => n.fixture.fn.className === cls),
              name,
              from,
            )
          : undefined) ??
        last(
          own.filter((n) => n.fixture.fn.className === null),
          name,
          from,
        );
      if (hit) return hit;
    }
    let dir = dirname(from.source.file);
    if (overriding && isConftest(from.source.file)) dir = dirname(dir);
    for (; dir.startsWith(target.rootDir); dir = dirname(dir)) {
      const c = conftests.get(dir);
      if (c && c !== from.source) {
        const hit = last(
          inModule.get(c)!.filter((n) => n.fixture.fn.className === null),
          name,
          from,
        );
        if (hit) return hit;
      }
      if (dir === target.rootDir || dirname(dir) === dir) break;
    }
    const plugin = last(pluginNodes, name, from);
    if (plugin) return plugin;
    return PROVIDED.has(name) ? null : undefined;
  };

  for (const start of [...inModule.values()].flat()) {
    if (!start.fixture.fn.async) continue;
    // Depth-first over what `start` uses, keeping the chain that led to each fixture.
    const stack: Node[][] = [[start]];
    const visited = new Set<Node>([start]);
    while (stack.length > 0) {
      const chain = stack.pop()!;
      const node = chain.at(-1)!;
      const { text } = node.source.module;
      if (text.slice(node.fixture.fn.body.start, node.fixture.fn.body.end).includes('getfixturevalue')) {
        return {
          safe: false,
          reason: `${describe(chain, target)} asks for fixtures by name at run time (request.getfixturevalue), which cannot be followed`,
        };
      }
      for (const name of node.fixture.fn.paramNames) {
        if ((name === 'self' || name === 'cls') && node.fixture.fn.className !== null) continue;
        const next = resolve(node, name);
        if (next === null) continue;
        if (next === undefined) {
          return {
            safe: false,
            reason: `${describe(chain, target)} requests \`${name}\`, which no conftest.py, test module or local plugin defines (a plugin's fixture may be async and run in another loop)`,
          };
        }
        if (visited.has(next)) continue;
        visited.add(next);
        const path = [...chain, next];
        const b = next.fixture;
        if (b.fn.async) {
          const a = start.fixture;
          const sameBefore = oldLoop(a) === oldLoop(b);
          const sameAfter = newLoop(a) === newLoop(b);
          if (sameBefore !== sameAfter) {
            return {
              safe: false,
              reason: `${describe(path, target)}: ${a.name} (${scopeOf(a)}-scoped) would run in the ${newLoop(a)} loop and ${b.name} in the ${newLoop(b)} loop, where both ran in ${sameBefore ? `the ${oldLoop(a)} loop` : 'different loops'} before, so what one builds fails in the other ("attached to a different loop")`,
            };
          }
        }
        stack.push(path);
      }
    }
  }
  return { safe: true };
}

function rel(target: PytestTarget, file: string): string {
  return file.startsWith(target.rootDir) ? file.slice(target.rootDir.length + 1) : file;
}

function describe(chain: Node[], target: PytestTarget): string {
  const first = chain[0]!;
  return `${chain.map((n) => n.fixture.name).join(' -> ')} (${rel(target, first.source.file)}:${lineOf(first)})`;
}

function lineOf(n: Node): number {
  const { text } = n.source.module;
  let line = 1;
  for (let i = 0; i < n.fixture.fn.nameRange.start && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
