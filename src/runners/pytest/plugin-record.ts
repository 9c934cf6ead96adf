import type { FlagSpec, PytestIniType } from './schema-types.js';

/**
 * One pytest plugin distribution as read from its own source by scripts/gen-plugin-registry (its
 * `parser.addoption`, `parser.addini`, `addinivalue_line("markers", ...)` calls and `pytest11` entry points).
 * The committed data lives in schemas/pytest-plugins.json; build.mjs turns it into
 * src/generated/pytest-plugins.ts (`pytestPlugins`). Facts only: names, arity, types.
 */
export interface PluginRecord {
  /** PEP 503-normalized distribution name: `pytest-django`, `anyio`, `celery`. */
  distribution: string;
  /** The version whose source was read. */
  version: string;
  /** `pytest11` entry points: `name` is what `-p no:NAME` disables, `module` what `-p MODULE` imports. */
  entryPoints: { name: string; module: string }[];
  /** Command-line options with their short forms and whether they take a value. */
  flags: FlagSpec[];
  /** ini keys with pytest's type for them. */
  keys: Record<string, PytestIniType>;
  /** Marker names the plugin registers. */
  markers: string[];
  /**
   * Kinds of names the generator could not read completely from the source (an option name computed at run
   * time, a marker line built in code, a module it could not parse). For a project that declares this plugin,
   * an unknown name of such a kind "cannot be verified" rather than being wrong. Absent when complete.
   */
  incomplete?: ('flags' | 'keys' | 'markers')[];
  /** Where the facts were read: `installed` (the local Python index) or `github:owner/name@commit`. */
  source: string;
}
