import type { Measurement } from '../runners/pytest/measurement.js';

/** `--format json`: the measurement as saved (`{"configs": [{"config", "roots": [...], "all", "after"}]}`). */
export function measureJson(m: Measurement): string {
  return JSON.stringify(m, null, 2) + '\n';
}
