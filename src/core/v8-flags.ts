/**
 * V8 flags this process sets after start-up (the Python parser's choice of WebAssembly tiers, see
 * formats/python.ts). V8 accepts a code cache only under the flags it was made with, so the code cache of the
 * TypeScript compiler (code-cache.ts) is kept per set of changed flags: a run that parses Python and one that
 * does not would otherwise each reject the other's cache and compile the 9 MB compiler again.
 */
import { createRequire } from 'node:module';

const changed: string[] = [];

export function setV8Flag(flag: string): void {
  // Loaded when a flag is set: a run on one config never loads node:v8.
  (createRequire(import.meta.url)('node:v8') as typeof import('node:v8')).setFlagsFromString(flag);
  if (!changed.includes(flag)) changed.push(flag);
}

/** The flags set so far, as a file-name part: '' while V8 runs with the flags the process started with. */
export function changedV8Flags(): string {
  return changed.map((f) => f.replace(/^-+/, '').replace(/[^\w.-]+/g, '_')).join('+');
}
