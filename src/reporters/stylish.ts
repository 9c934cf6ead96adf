import { oneLine, relativePath } from './paths.js';
import type { Reporter } from './types.js';

const paint = (on: boolean, code: string, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/** ESLint's stylish layout: findings grouped by file, then a summary that says what `fix` can do. */
export const stylish: Reporter = ({ diagnostics, cwd, color, fixable }) => {
  if (diagnostics.length === 0) return '';
  const out: string[] = [];
  const byFile = new Map<string, (typeof diagnostics)[number][]>();
  for (const d of diagnostics) {
    const list = byFile.get(d.file);
    if (list) list.push(d);
    else byFile.set(d.file, [d]);
  }
  for (const [file, list] of byFile) {
    out.push('', paint(color, '4', oneLine(relativePath(cwd, file))));
    const width = Math.max(...list.map((d) => `${d.line}:${d.column}`.length));
    for (const d of list) {
      const sev =
        d.severity === 'error'
          ? paint(color, '31', 'error  ')
          : d.severity === 'warning'
            ? paint(color, '33', 'warning')
            : paint(color, '36', 'info   ');
      const fix = d.fix
        ? paint(color, '2', d.fix.applicability === 'safe' ? ' [fix]' : ' [unsafe fix]')
        : d.suggestions
          ? paint(color, '2', ' [suggestion]')
          : '';
      out.push(
        `  ${`${d.line}:${d.column}`.padEnd(width)}  ${sev}  ${oneLine(d.message.replace(/\r?\n/g, ' '))}  ${paint(color, '2', d.rule)}${fix}`,
      );
    }
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const total = errors + warnings;
  out.push(
    '',
    paint(
      color,
      errors > 0 ? '1;31' : '1;33',
      `✖ ${total} problem${total === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`,
    ),
  );
  if (fixable.safe > 0) out.push(`  ${fixable.safe} fixable with \`netra-migrate fix --write\``);
  if (fixable.unsafe > 0) out.push(`  ${fixable.unsafe} more fixable with \`netra-migrate fix --write --unsafe\``);
  return out.join('\n') + '\n';
};
