import { compact } from './compact.js';
import { github } from './github.js';
import { json } from './json.js';
import { oneLine } from './paths.js';
import { sarif } from './sarif.js';
import { stylish } from './stylish.js';
import type { Reporter } from './types.js';

export const reporters = { stylish, compact, json, github, sarif } satisfies Record<string, Reporter>;
export type ReporterName = keyof typeof reporters;
export type { ReportInput, Reporter, RuleInfo } from './types.js';

/** File problems go to stderr in the compiler form editors and CI logs understand: `file:line:col: error: message`. */
export function formatProblem(
  cwd: string,
  p: { file: string; line?: number; column?: number; message: string },
  rel: (cwd: string, f: string) => string,
): string {
  const where = [oneLine(rel(cwd, p.file)), p.line, p.line !== undefined ? (p.column ?? 1) : undefined]
    .filter((x) => x !== undefined)
    .join(':');
  return `${where}: error: ${oneLine(p.message)}\n`;
}
