import { lstatSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

/** Directories no test runner collects from and no linter should enter. */
const SKIP_DIRS = new Set([
  '.git', '.hg', '.svn', 'node_modules', '__pycache__', '.tox', '.nox', '.venv', 'venv', '.mypy_cache', '.pytest_cache',
  '.ruff_cache', 'build', 'dist', '.eggs', 'site-packages', '.cache', '.idea', '.vscode', 'coverage', '.next', '.turbo',
]);

function isVirtualenv(dir: string): boolean {
  try {
    return statSync(join(dir, 'pyvenv.cfg')).isFile();
  } catch {
    return false;
  }
}

export function skippedDir(name: string): boolean {
  return SKIP_DIRS.has(name) || name.endsWith('.egg-info');
}

/**
 * Walk a tree, yielding directories (parents first) with their entries. Symbolic links are not followed,
 * so a link loop or a link out of the project can neither hang the walk nor widen it.
 */
export function* walkDirs(root: string): Generator<{ dir: string; entries: Dirent[] }> {
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    yield { dir, entries };
    const subdirs = entries.filter((e) => e.isDirectory() && !skippedDir(e.name)).map((e) => join(dir, e.name));
    for (const sub of subdirs.reverse()) if (!isVirtualenv(sub)) stack.push(sub);
  }
}

export function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile() || statSync(path).isFile();
  } catch {
    return false;
  }
}
