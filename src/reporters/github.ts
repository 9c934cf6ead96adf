import { escapeControls, relativePath } from './paths.js';
import type { Reporter } from './types.js';

const COMMAND = { error: 'error', warning: 'warning', info: 'notice' } as const;

/**
 * Escaping of a workflow command's message: GitHub's `escapeData` (`%`, CR, LF), after every other control
 * character is escaped as in every format (a raw ESC in a path would reach the log and the annotation).
 */
export const escapeData = (s: string) => escapeControls(s, '\r\n').replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** Escaping of a property value (`escapeProperty`): also `:` and `,`, which separate properties. */
export const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * GitHub Actions workflow commands: one `::error file=...,line=...::message` annotation per finding (shown
 * on the pull request's diff), with paths relative to the working directory, as checkouts are.
 */
export const github: Reporter = ({ diagnostics, problems, cwd }) => {
  const lines = diagnostics.map((d) => {
    const props = [
      `file=${escapeProperty(relativePath(cwd, d.file))}`,
      `line=${d.line}`,
      `col=${d.column}`,
      `endLine=${d.endLine}`,
      `endColumn=${d.endColumn}`,
      `title=${escapeProperty(`netra-migrate (${d.rule})`)}`,
    ];
    return `::${COMMAND[d.severity]} ${props.join(',')}::${escapeData(d.message)}\n`;
  });
  for (const p of problems) {
    const props = [
      `file=${escapeProperty(relativePath(cwd, p.file))}`,
      ...(p.line ? [`line=${p.line}`] : []),
      ...(p.line ? [`col=${p.column ?? 1}`] : []),
      'title=netra-migrate',
    ];
    lines.push(`::error ${props.join(',')}::${escapeData(p.message)}\n`);
  }
  return lines.join('');
};
