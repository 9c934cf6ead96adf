import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'bin', 'netra-migrate.js');
/** The virtualenv `npm test` prepares (scripts/python-env.mjs) with real pytest and plugins. */
export const VENV = join(ROOT, '.cache', 'venv');
export const PYTHON = join(VENV, 'bin', 'python');
export const CORPUS = join(ROOT, '..', 'shared', 'corpus');

/**
 * A scratch copy of a corpus file that fixes may write: shared/ is read-only (CI lays it out without write
 * bits), and netra-migrate refuses to write a read-only file.
 */
export function copyCorpusFile(from: string, to: string): void {
  copyFileSync(from, to);
  chmodSync(to, 0o644);
}

export function corpusAvailable(): string | false {
  return existsSync(join(CORPUS, 'MANIFEST.tsv')) ? false : `corpus not found at ${CORPUS}; corpus tests skipped`;
}

export function pythonAvailable(): string | false {
  return existsSync(PYTHON) ? false : `${PYTHON} missing: run \`node scripts/python-env.mjs\` (npm test does)`;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd: string = ROOT, env: NodeJS.ProcessEnv = {}): RunResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', NETRA_MIGRATE_NO_CACHE: '1', ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function runPython(args: string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const r = spawnSync(PYTHON, args, {
    cwd: options.cwd ?? ROOT,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...options.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A scratch copy of a folder (fix tests never touch the fixtures themselves). */
export function copyToTemp(dir: string, prefix = 'netra-'): string {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  cpSync(dir, tmp, { recursive: true });
  return tmp;
}

export function tempDir(prefix = 'netra-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A new temporary directory holding the given files (relative paths, folders created as needed). */
export function writeTree(files: Record<string, string>, prefix = 'netra-'): string {
  const dir = tempDir(prefix);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A small deterministic PRNG (mulberry32), so generated cases are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
