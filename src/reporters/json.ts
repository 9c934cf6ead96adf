import { relativePath } from './paths.js';
import type { Reporter } from './types.js';

/** A flat array, one object per finding: the stable machine format. */
export const json: Reporter = ({ diagnostics, cwd }) =>
  JSON.stringify(
    diagnostics.map((d) => ({
      file: relativePath(cwd, d.file),
      line: d.line,
      column: d.column,
      endLine: d.endLine,
      endColumn: d.endColumn,
      rule: d.rule,
      severity: d.severity,
      message: d.message,
      fix: d.fix ? { applicability: d.fix.applicability, title: d.fix.title } : null,
    })),
    null,
    2,
  ) + '\n';
