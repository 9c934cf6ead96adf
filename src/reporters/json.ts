import type { LocatedDiagnostic } from '../core/diagnostic.js';
import { jsonText, relativePath } from './paths.js';
import type { Reporter } from './types.js';

/** One finding in the stable machine shape (also what rule fixtures record). */
export function jsonFinding(cwd: string, d: LocatedDiagnostic) {
  return {
    file: relativePath(cwd, d.file),
    line: d.line,
    column: d.column,
    endLine: d.endLine,
    endColumn: d.endColumn,
    rule: d.rule,
    severity: d.severity,
    message: d.message,
    fix: d.fix ? { applicability: d.fix.applicability, title: d.fix.title } : null,
    // Only where a rule proposes one, so findings without suggestions keep their recorded shape.
    ...(d.suggestions
      ? {
          suggestions: d.suggestions.map((s) => ({
            title: s.title,
            edits: s.edits.map((e) => ({
              file: relativePath(cwd, e.file),
              line: e.line,
              column: e.column,
              endLine: e.endLine,
              endColumn: e.endColumn,
              text: e.text,
            })),
          })),
        }
      : {}),
  };
}

/** A flat array, one object per finding: the stable machine format. */
export const json: Reporter = ({ diagnostics, cwd }) => jsonText(diagnostics.map((d) => jsonFinding(cwd, d))) + '\n';
