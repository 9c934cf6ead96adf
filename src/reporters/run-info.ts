/** What a run read and what it spent: `check --show-files` and `check --stats`. */
import { basename } from 'node:path';
import type { CheckResult, FileRead } from '../core/engine.js';
import { oneLine, relativePath } from './paths.js';

/** Why a file was read, in words: the analyzer that took it and what kind of file it is to that analyzer. */
export function readReason(read: FileRead): string {
  const name = basename(read.file);
  switch (read.reason) {
    case 'pytest':
      return name === 'conftest.py' ? 'pytest: conftest' : name.endsWith('.py') ? 'pytest: test module' : 'pytest: config';
    case 'compose':
      return 'Compose: file';
    case 'ci':
      return /\.ya?ml$/.test(name) ? 'CI: workflow' : 'pytest invocations: tox, nox, Makefile or script';
    case 'jest/vitest':
      return /\.(test|spec)\.[cm]?[jt]sx?$|\/__tests__\//.test(read.file) ? 'jest/vitest: test file' : 'jest/vitest: config';
    case 'read':
      // Sources a prefilter dropped were read as text but never parsed: nothing in them is what a rule reports on.
      if (name === 'conftest.py' || /^test_.*\.py$|_test\.py$/.test(name))
        return 'pytest: test source, text only (nothing a rule reports on)';
      return 'read to decide (a sibling config, a package.json, a module beside a config)';
    default:
      return read.reason;
  }
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
