/**
 * The rows every measure renderer shows: each root, then all roots together, before and (with `--after-fix`)
 * after, side by side. A root the fix dropped has no "after" run.
 */
import type { ConfigMeasurement, RunMeasurement } from '../runners/pytest/measurement.js';

export interface MeasureRow {
  root: string;
  before: RunMeasurement | null;
  after: RunMeasurement | null;
}

export function measureRows(c: ConfigMeasurement): MeasureRow[] {
  const names = [...c.roots.map((r) => r.root)];
  for (const r of c.after?.roots ?? []) if (!names.includes(r.root)) names.push(r.root);
  const rows = names.map((root) => ({
    root,
    before: c.roots.find((r) => r.root === root) ?? null,
    after: c.after ? (c.after.roots.find((r) => r.root === root) ?? null) : null,
  }));
  rows.push({ root: 'all', before: c.all, after: c.after?.all ?? null });
  return rows;
}

export const cell = {
  tests: (r: RunMeasurement | null) => (r === null ? '—' : r.tests === null ? '?' : r.tests.toLocaleString('en-US')),
  seconds: (r: RunMeasurement | null) => (r === null ? '—' : r.seconds.toFixed(2)),
  peak: (r: RunMeasurement | null) => (r === null ? '—' : r.peakMb === null ? '?' : r.peakMb.toFixed(1)),
  exit: (r: RunMeasurement | null) => (r === null ? '—' : r.exitCode === null ? 'stopped' : String(r.exitCode)),
};
