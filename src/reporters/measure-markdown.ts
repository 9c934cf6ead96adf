import type { Measurement } from '../runners/pytest/measurement.js';
import { cell, measureRows } from './measure-rows.js';

/** Text inside a Markdown table cell: pipes escaped, line breaks and control characters flattened. */
const md = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/([\\|`*_[\]<>])/g, '\\$1');

/** `--format markdown`: a pull-request comment or a GitHub step summary. */
export function measureMarkdown(m: Measurement): string {
  const out: string[] = ['## netra-migrate measure', ''];
  for (const c of m.configs) {
    const after = c.after !== undefined;
    out.push(`### ${md(c.config)} (${c.runner})`, '');
    const header = ['root', c.unit, 'seconds', 'peak MB', 'exit', ...(after ? [`after fix: ${c.unit}`, 'seconds', 'peak MB', 'exit'] : [])];
    out.push(
      `| ${header.join(' | ')} |`,
      `| --- | ${header
        .slice(1)
        .map(() => '---:')
        .join(' | ')} |`,
    );
    for (const r of measureRows(c)) {
      const cells = [
        r.root === 'all' ? '**all**' : md(r.root),
        cell.tests(r.before),
        cell.seconds(r.before),
        cell.peak(r.before),
        cell.exit(r.before),
        ...(after ? [cell.tests(r.after), cell.seconds(r.after), cell.peak(r.after), cell.exit(r.after)] : []),
      ];
      out.push(`| ${cells.join(' | ')} |`);
    }
    const errors = measureRows(c).flatMap((r) => [
      ...(r.before?.error ? [`- ${md(r.root)}: ${md(r.before.error)}`] : []),
      ...(r.after?.error ? [`- ${md(r.root)} (after fix): ${md(r.after.error)}`] : []),
    ]);
    if (errors.length > 0) out.push('', ...errors);
    out.push('');
  }
  if (m.configs.length === 0) out.push('Nothing measured.', '');
  return out.join('\n');
}
