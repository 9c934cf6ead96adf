import { resolve } from 'node:path';
import { oneLine } from './paths.js';
import type { Reporter } from './types.js';

const LABEL = { error: 'Error', warning: 'Warning', info: 'Info' } as const;

/**
 * One line per finding with an absolute path, in the form VS Code's built-in `$eslint-compact` problem
 * matcher reads: `/abs/file: line 3, col 1, Error - message (rule)`.
 */
export const compact: Reporter = ({ diagnostics, cwd }) =>
  diagnostics
    .map(
      (d) =>
        `${oneLine(resolve(cwd, d.file))}: line ${d.line}, col ${d.column}, ${LABEL[d.severity]} - ${oneLine(d.message.replace(/\r?\n/g, ' '))} (${d.rule})\n`,
    )
    .join('');
