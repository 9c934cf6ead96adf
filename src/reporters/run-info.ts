/** What a run read and what it spent: `check --show-files` and `check --stats`. */
import type { CheckResult, FileRead } from '../core/engine.js';
import { oneLine, relativePath } from './paths.js';

/** The analyzers' names as `--show-files` prints them. */
const ANALYZER_LABELS: Record<string, string> = { compose: 'Compose', ci: 'CI' };

/** Why a file was read, in words: the analyzer that took it and what kind of file it is to that analyzer (as the analyzer says). */
export function readReason(read: FileRead): string {
  if (read.kind === undefined) return 'read to decide (a sibling config, a package.json, a module beside a config)';
  return `${ANALYZER_LABELS[read.reason] ?? read.reason}: ${read.kind}`;
}

export function describeReads(cwd: string, reads: readonly FileRead[]): string {
  return reads.map((r) => `${oneLine(relativePath(cwd, r.file))}\t${readReason(r)}\n`).join('');
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

export function formatStats(result: CheckResult, totalMs: number): string {
  const stats = result.stats;
  if (!stats) return '';
  const lines = [
    `files read: ${result.reads?.length ?? 0}, analyzed: ${result.files.length}, findings: ${result.diagnostics.length}, total: ${ms(totalMs)}`,
  ];
  for (const [name, a] of Object.entries(stats.analyzers)) lines.push(`  analyzer ${name}: ${a.files} file(s), ${ms(a.ms)}`);
  const rules = Object.entries(stats.rules).sort(([, a], [, b]) => b.findings - a.findings || b.ms - a.ms);
  for (const [id, r] of rules) lines.push(`  rule ${id}: ${r.findings} finding(s), ${ms(r.ms)}`);
  return lines.join('\n') + '\n';
}
