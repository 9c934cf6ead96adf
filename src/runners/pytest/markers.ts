// Markers as a pytest config declares them: shared by the analyzer (which sources need parsing) and rules.
import { getEntry, listValue, typedValue, type PytestConfig } from './config.js';
import { addoptsFlag } from './target.js';

export function strictMarkers(config: PytestConfig): boolean {
  if (addoptsFlag(config, '--strict-markers', '--strict')) return true;
  for (const key of ['strict_markers', 'strict']) {
    const entry = getEntry(config, key);
    if (entry) {
      const typed = typedValue(config, entry, 'bool');
      if (typed.ok && typed.value === true) return true;
    }
  }
  return false;
}

export function registeredMarks(config: PytestConfig): Set<string> {
  return new Set(listValue(config, 'markers', 'linelist').map((m) => m.split(/[:(]/)[0]!.trim()));
}
