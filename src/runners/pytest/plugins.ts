/**
 * Lookups over the plugin registry (src/generated/pytest-plugins.ts, generated from
 * schemas/pytest-plugins.json) and the plugins netra-migrate has full schemas for: which distribution owns
 * a flag, an ini key, a marker, a `pytest11` entry point or `-p` module.
 */
import { pytestPlugins } from '../../generated/pytest-plugins.js';
import { pluginSchemas } from '../../generated/pytest-registry.js';
import { normalizeName } from '../../formats/requirements.js';
import type { PluginRecord } from './plugin-record.js';

/** Marks pytest itself registers (`pytest --markers` with no plugin). */
export const PYTEST_MARKS: ReadonlySet<string> = new Set([
  'skip',
  'skipif',
  'xfail',
  'parametrize',
  'usefixtures',
  'filterwarnings',
  'tryfirst',
  'trylast',
]);

/** Marks of the plugins with a full schema here (their records are not in the registry data). */
const SCHEMA_PLUGIN_MARKS: Record<string, string[]> = {
  'pytest-asyncio': ['asyncio'],
  'pytest-timeout': ['timeout'],
  'pytest-cov': ['no_cover'],
  'pytest-xdist': ['xdist_group'],
};
const SCHEMA_PLUGIN_ENTRY_POINTS: Record<string, { name: string; module: string }[]> = {
  'pytest-asyncio': [{ name: 'asyncio', module: 'pytest_asyncio.plugin' }],
  'pytest-timeout': [{ name: 'timeout', module: 'pytest_timeout' }],
  'pytest-cov': [{ name: 'pytest_cov', module: 'pytest_cov.plugin' }],
  'pytest-xdist': [
    { name: 'xdist.plugin', module: 'xdist.plugin' },
    { name: 'xdist.looponfail', module: 'xdist.looponfail' },
  ],
};

/** The schema plugins as records, so every lookup goes through one shape. */
function schemaRecords(): PluginRecord[] {
  return pluginSchemas
    .filter((s) => s.plugin !== 'pytest' && s.plugin !== 'pytest-memory-plugin')
    .map((s) => ({
      distribution: s.plugin,
      version: '',
      entryPoints: SCHEMA_PLUGIN_ENTRY_POINTS[s.plugin] ?? [],
      flags: s.flags,
      keys: s.keys,
      markers: SCHEMA_PLUGIN_MARKS[s.plugin] ?? [],
      source: 'schemas/',
    }));
}

export interface PluginRegistry {
  readonly records: readonly PluginRecord[];
  byDistribution(name: string): PluginRecord | undefined;
  byFlag(flag: string): PluginRecord | undefined;
  byKey(key: string): PluginRecord | undefined;
  byMarker(mark: string): PluginRecord | undefined;
  /** By `pytest11` entry-point name (`-p no:NAME`) or module (`-p MODULE`, `pytest_plugins`). */
  byEntryPoint(nameOrModule: string): PluginRecord | undefined;
  /**
   * Every plugin that registers the name (several plugins register `flaky`, forks register their parent's
   * flags): the project has it when it has any of them.
   */
  owners(what: 'flag' | 'key' | 'mark', name: string): PluginRecord[];
}

export function pluginRegistry(records: readonly PluginRecord[]): PluginRegistry {
  const all = [...schemaRecords(), ...records.filter((r) => !pluginSchemas.some((s) => s.plugin === r.distribution))];
  // Each index is built on first use: most runs ask one or two kinds of question (a pytest.ini run with
  // `-p` in addopts asks only for entry points), and indexing all ~1,400 names was a tenth of such a run.
  const index = (names: (r: PluginRecord) => Iterable<string>, lastWins = false): (() => Map<string, PluginRecord>) => {
    let map: Map<string, PluginRecord> | undefined;
    return () => {
      if (!map) {
        map = new Map();
        for (const r of all) for (const n of names(r)) if (lastWins || !map.has(n)) map.set(n, r);
      }
      return map;
    };
  };
  // A distribution recorded twice (a schema and the registry) is its later record.
  const dist = index((r) => [normalizeName(r.distribution)], true);
  const flags = index((r) => r.flags.flatMap((f) => f.names));
  const keys = index((r) => Object.keys(r.keys));
  const marks = index((r) => r.markers);
  const eps = index((r) => r.entryPoints.flatMap((e) => [e.name, e.module]));
  let owners: Map<string, PluginRecord[]> | undefined;
  const ownersOf = () => {
    if (owners) return owners;
    const map = new Map<string, PluginRecord[]>();
    const own = (key: string, r: PluginRecord) => {
      const list = map.get(key);
      if (!list) map.set(key, [r]);
      else if (!list.includes(r)) list.push(r);
    };
    for (const r of all) {
      for (const f of r.flags) for (const n of f.names) own(`flag:${n}`, r);
      for (const k of Object.keys(r.keys)) own(`key:${k}`, r);
      for (const m of r.markers) own(`mark:${m}`, r);
    }
    return (owners = map);
  };
  return {
    records: all,
    byDistribution: (n) => dist().get(normalizeName(n)),
    byFlag: (f) => flags().get(f),
    byKey: (k) => keys().get(k),
    byMarker: (m) => marks().get(m),
    byEntryPoint: (e) => eps().get(e) ?? eps().get(e.replace(/^no:/, '')),
    owners: (what, name) => ownersOf().get(`${what}:${name}`) ?? [],
  };
}

// Built on first use: a run that reads no pytest config (one Jest config in pre-commit) never indexes it.
let current: PluginRegistry | undefined;

/** The registry rules consult: the generated data. */
export function plugins(): PluginRegistry {
  return (current ??= pluginRegistry(pytestPlugins));
}

/**
 * For tests: run `body` with a small registry in place of the generated one (so a test does not depend on
 * the generated data's contents), restoring it afterwards.
 */
export async function withPluginRecords<T>(records: readonly PluginRecord[], body: () => Promise<T>): Promise<T> {
  const saved = current;
  current = pluginRegistry(records);
  try {
    return await body();
  } finally {
    current = saved;
  }
}

/** Whether a distribution name looks like a pytest plugin by convention (`pytest-*`). */
export const isPytestPluginName = (name: string) => /^pytest-/.test(normalizeName(name)) && normalizeName(name) !== 'pytest';
