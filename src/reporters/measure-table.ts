import type { Measurement } from '../runners/pytest/measurement.js';
import { oneLine } from './paths.js';
import { cell, measureRows } from './measure-rows.js';

/** The terminal table: one block per config, roots then `all`, after-fix columns beside the measured ones. */
export function measureTable(m: Measurement): string {
  const out: string[] = [];
  for (const c of m.configs) {
    const after = c.after !== undefined;
    out.push(`${oneLine(c.config)} (${c.runner}, counting ${c.unit})`);
    const header = ['root', c.unit, 'seconds', 'peak MB', 'exit', ...(after ? ['after: ' + c.unit, 'seconds', 'peak MB', 'exit'] : [])];
    const rows = measureRows(c).map((r) => [
      oneLine(r.root),
      cell.tests(r.before),
      cell.seconds(r.before),
      cell.peak(r.before),
      cell.exit(r.before),
      ...(after ? [cell.tests(r.after), cell.seconds(r.after), cell.peak(r.after), cell.exit(r.after)] : []),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) =>
      '  ' +
      cells
        .map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
        .join('  ')
        .trimEnd();
    out.push(line(header));
    for (const r of rows) out.push(line(r));
    for (const r of measureRows(c)) {
      if (r.before?.error) out.push(`  ${oneLine(r.root)}: ${oneLine(r.before.error)}`);
      if (r.after?.error) out.push(`  ${oneLine(r.root)} (after fix): ${oneLine(r.after.error)}`);
    }
    out.push('');
  }
  if (m.configs.length === 0) out.push('nothing measured: no pytest config, and no Jest or Vitest config with its runner installed');
  return out.join('\n') + '\n';
}
