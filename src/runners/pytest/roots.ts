/**
 * The test roots a pytest config collects from: the `testpaths` entries that pytest walks. Shared by the
 * `single-test-root` rule (which roots to keep and drop) and `measure` (which roots to collect one by one),
 * so `testpaths` has one reader.
 */
import { getEntry, typedValue, type ConfigEntry } from './config.js';
import { addoptsFlag, collectedFrom, type Collected, type PytestTarget } from './target.js';

export interface TestRoots {
  /** The `testpaths` entry, or null when the config has none (pytest then collects from the rootdir). */
  entry: ConfigEntry | null;
  /** Every `testpaths` value, in order. */
  entries: string[];
  /** What pytest collects from each entry (same order as `entries`). */
  collected: Collected[];
  /** Whether entry `i` is a root: a directory pytest walks (a file named directly is not one). */
  isRoot: (i: number) => boolean;
  /** The entries that are roots. */
  roots: string[];
}

/** The config's `testpaths` read as pytest reads it; null when it cannot be typed (a broken value). */
export function testRoots(target: PytestTarget): TestRoots | null {
  const { config } = target;
  const entry = getEntry(config, 'testpaths') ?? null;
  if (!entry) return { entry: null, entries: [], collected: [], isRoot: () => false, roots: [] };
  const typed = typedValue(config, entry, 'args');
  if (!typed.ok || !Array.isArray(typed.value)) return null;
  const entries = typed.value as string[];
  // An entry that names files only (`.github/scripts/test_ci.py`) is not a root: pytest collects that
  // file's tests, nothing is walked.
  const collected = entries.map((r) => collectedFrom(target, r));
  // A package that holds no test files, listed while `--doctest-modules` is on, is there for its
  // doctests (tavern lists its own package beside tests/unit): pytest imports the package the tests
  // import anyway; it is not a second test root.
  const doctestModules = addoptsFlag(config, '--doctest-modules') !== undefined;
  const doctestOnly = (i: number) =>
    doctestModules && collected[i]!.dirs > 0 && collected[i]!.modules === 0 && collected[i]!.doctests === 0;
  const isRoot = (i: number) => (collected[i]!.dirs > 0 || collected[i]!.files === 0) && !doctestOnly(i);
  return { entry, entries, collected, isRoot, roots: entries.filter((_, i) => isRoot(i)) };
}
