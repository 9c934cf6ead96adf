/**
 * node:child_process, loaded when a run first starts a process (CPython, a project's interpreter), not at
 * start-up: most runs start none, and loading it was a few percent of a one-file pre-commit run.
 */
import { createRequire } from 'node:module';
import type * as ChildProcess from 'node:child_process';

let loaded: typeof ChildProcess | undefined;

export function childProcess(): typeof ChildProcess {
  return (loaded ??= createRequire(import.meta.url)('node:child_process') as typeof ChildProcess);
}
