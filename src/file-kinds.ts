/**
 * Every file kind a run reads, from the analyzers' own declarations (plus the tool config): the pre-commit
 * hooks' `files` pattern is generated from it (scripts/gen-docs.mts) and checked by test/precommit.test.ts,
 * so a file kind an analyzer starts reading is also checked when it changes in a commit.
 */
import { basename } from 'node:path';
import { analyzers } from './analyzers.js';
import { isDependencyFileName } from './formats/dependencies.js';

/** The tool config: `.netra-migrate.json`, or a `netra-migrate` key in package.json or pyproject.toml. */
const TOOL_CONFIG_PATTERNS = [String.raw`\.netra-migrate\.json`, String.raw`package\.json`, String.raw`pyproject\.toml`];

export function filePatterns(): string[] {
  return [...new Set([...analyzers.flatMap((a) => a.filePatterns ?? []), ...TOOL_CONFIG_PATTERNS])];
}

/** One regular expression over a `/`-separated relative path, as pre-commit's `files` matches it. */
export function preCommitFilesPattern(): string {
  return `(^|/)(${filePatterns().join('|')})$`;
}

let kindsPattern: RegExp | undefined;

/**
 * Whether a run reads files of this name: every analyzer's file kinds, the tool config, the dependency files
 * and the ignore files. A FIFO, socket or device by such a name is an error wherever it is found (a walk, the
 * command line), the same for every kind, never a file left out in silence.
 */
export function isReadKind(path: string): boolean {
  kindsPattern ??= new RegExp(preCommitFilesPattern());
  const name = basename(path);
  return kindsPattern.test(path.split('\\').join('/')) || isDependencyFileName(name) || name === '.gitignore' || name === '.ignore';
}
