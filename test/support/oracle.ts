import { join } from 'node:path';
import { ROOT, runPython } from './env.js';

export type OracleDoc = { kind: 'ini' | 'toml' | 'shlex'; text: string };

/** Ask real Python (iniconfig, tomllib, shlex) about many documents in one process. */
export function oracle(docs: OracleDoc[]): any[] {
  const r = runPython([join(ROOT, 'test', 'support', 'oracle.py')], { input: JSON.stringify(docs) });
  if (r.code !== 0) throw new Error(`oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
