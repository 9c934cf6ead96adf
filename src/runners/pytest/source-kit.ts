/** Shared reading of test sources for the rules that look at them. */
import type { FixtureInfo, PytestSource } from './sources.js';
import type { PytestTarget } from './target.js';

/** Cache scopes wider than a single test. */
export const WIDE_SCOPES: readonly string[] = ['class', 'module', 'package', 'session'];

export const isWide = (scope: string | null | undefined): scope is string => !!scope && WIDE_SCOPES.includes(scope);

export function* asyncFixtures(target: PytestTarget): Generator<{ source: PytestSource; fixture: FixtureInfo }> {
  for (const source of target.sources ?? []) for (const fixture of source.fixtures) if (fixture.fn.async) yield { source, fixture };
}
