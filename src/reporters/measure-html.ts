/**
 * `--html FILE`: one self-contained page (no script, no network) with, per config, a bar chart of peak memory
 * and one of collection seconds per root (and all roots together), before and after the fix side by side,
 * drawn in inline SVG, and the table below them. Bar heights are proportional to the values (one scale per
 * chart, from zero); each bar carries its root, phase, metric and value as data attributes.
 */
import type { ConfigMeasurement, Measurement, RunMeasurement } from '../runners/pytest/measurement.js';
import { cell, measureRows, type MeasureRow } from './measure-rows.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const PLOT = 200;
const BAR = 28;
const GAP = 24;
const LEFT = 48;
const TOP = 40;
const BOTTOM = 56;
const COLORS = { before: '#c2410c', after: '#15803d' };

type Metric = 'peakMb' | 'seconds';

function value(run: RunMeasurement | null, metric: Metric): number | null {
  if (run === null) return null;
  return metric === 'peakMb' ? run.peakMb : run.seconds;
}

function chart(c: ConfigMeasurement, rows: MeasureRow[], metric: Metric, title: string, unit: string): string {
  const phases = c.after ? (['before', 'after'] as const) : (['before'] as const);
  const max = Math.max(0, ...rows.flatMap((r) => phases.map((p) => value(r[p], metric) ?? 0)));
  const group = phases.length * BAR + GAP;
  const width = LEFT + rows.length * group + GAP;
  const height = TOP + PLOT + BOTTOM;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" data-config="${esc(c.config)}" data-metric="${metric}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`${title} per root, ${c.config}`)}">`,
    `<text x="${LEFT}" y="14" class="title">${esc(title)} (${unit})</text>`,
    `<line x1="${LEFT - 4}" y1="${TOP + PLOT}" x2="${width - GAP / 2}" y2="${TOP + PLOT}" stroke="#555"/>`,
    `<text x="${LEFT - 8}" y="${TOP + 4}" text-anchor="end" class="axis">${esc(max.toFixed(metric === 'seconds' ? 2 : 0))}</text>`,
    `<text x="${LEFT - 8}" y="${TOP + PLOT}" text-anchor="end" class="axis">0</text>`,
  );
  rows.forEach((r, i) => {
    const x0 = LEFT + GAP / 2 + i * group;
    phases.forEach((phase, k) => {
      const v = value(r[phase], metric);
      if (v === null) return;
      const h = max > 0 ? (v / max) * PLOT : 0;
      const x = x0 + k * BAR;
      const y = TOP + PLOT - h;
      const shown = metric === 'seconds' ? v.toFixed(2) : v.toFixed(0);
      parts.push(
        `<rect class="bar" data-root="${esc(r.root)}" data-phase="${phase}" data-metric="${metric}" data-value="${v}" x="${x}" y="${y.toFixed(3)}" width="${BAR - 4}" height="${h.toFixed(3)}" fill="${COLORS[phase]}"><title>${esc(`${r.root} ${phase === 'after' ? 'after the fix' : ''}: ${shown} ${unit}`)}</title></rect>`,
        `<text x="${x + (BAR - 4) / 2}" y="${(y - 4).toFixed(1)}" text-anchor="middle" class="value">${esc(shown)}</text>`,
      );
    });
    const label = r.root.length > 18 ? `…${r.root.slice(-17)}` : r.root;
    parts.push(
      `<text x="${x0 + (phases.length * BAR) / 2}" y="${TOP + PLOT + 16}" text-anchor="middle" class="label">${esc(label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function table(c: ConfigMeasurement, rows: MeasureRow[]): string {
  const after = c.after !== undefined;
  const head = [
    'root',
    c.unit,
    'seconds',
    'peak MB',
    'exit',
    ...(after ? [`after fix: ${c.unit}`, 'seconds', 'peak MB', 'exit'] : []),
    'error',
  ];
  const body = rows.map((r) => {
    const cells = [
      r.root,
      cell.tests(r.before),
      cell.seconds(r.before),
      cell.peak(r.before),
      cell.exit(r.before),
      ...(after ? [cell.tests(r.after), cell.seconds(r.after), cell.peak(r.after), cell.exit(r.after)] : []),
      [r.before?.error, r.after?.error ? `after fix: ${r.after.error}` : null].filter(Boolean).join('; '),
    ];
    return `<tr>${cells.map((v, i) => `<td${i > 0 && i < cells.length - 1 ? ' class="num"' : ''}>${esc(v)}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

export function measureHtml(m: Measurement): string {
  const sections = m.configs.map((c) => {
    const rows = measureRows(c);
    const legend = c.after
      ? `<p class="legend"><span style="color:${COLORS.before}">■</span> as measured <span style="color:${COLORS.after}">■</span> after the fix</p>`
      : '';
    return `<section>
<h2>${esc(c.config)} <small>(${c.runner})</small></h2>
${legend}
<div class="charts">
${chart(c, rows, 'peakMb', 'Peak memory', 'MB')}
${chart(c, rows, 'seconds', c.runner === 'pytest' ? 'Collection time' : 'Listing time', 's')}
</div>
${table(c, rows)}
</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>netra-migrate measure</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #111; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
svg .title { font-weight: 600; font-size: 13px; }
svg .axis, svg .label, svg .value { font-size: 11px; fill: #333; }
table { border-collapse: collapse; margin-top: 12px; }
th, td { border: 1px solid #ccc; padding: 2px 8px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>netra-migrate measure</h1>
<p>Measured ${esc(m.measuredAt)} in ${esc(m.base)}.</p>
${sections.join('\n') || '<p>Nothing measured.</p>'}
</body>
</html>
`;
}
