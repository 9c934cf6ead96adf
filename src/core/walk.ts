import { lstatSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import type { FileProblem } from './diagnostic.js';
import { describeError } from './fs.js';

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

/** A directory named with template placeholders (`{{cookiecutter.project_slug}}`, `{% if x %}`): a template, not a project. */
export function templateDir(name: string): boolean {
  return /\{\{|\{%|\{#/.test(name);
}

/** What a walk did not enter: a problem (exit 2), or a tree it skips on purpose (a template). */
export type WalkEvent = { kind: 'problem'; problem: FileProblem } | { kind: 'skipped'; dir: string; reason: string };

/**
 * Walk a tree, yielding directories (parents first) with their entries. Symbolic links are not followed,
 * so a link loop or a link out of the project can neither hang the walk nor widen it. Nothing is skipped
 * in silence: a directory that cannot be listed (permissions, a path beyond PATH_MAX) or a name that is not
 * valid UTF-8 is a problem, and a template tree is a skip, both told to `onEvent`.
 */
export function* walkDirs(root: string, onEvent: (event: WalkEvent) => void = () => {}): Generator<{ dir: string; entries: Dirent[] }> {
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // The root may be a file (its directory is listed by the caller); a directory gone meanwhile is no loss.
      if (code !== 'ENOTDIR' && code !== 'ENOENT') onEvent({ kind: 'problem', problem: { file: dir, line: 1, column: 1, message: `cannot read directory: ${describeError(error)}` } });
      continue;
    }
    // Node decodes names as UTF-8 with U+FFFD for bytes that are not: such a path cannot be opened again.
    const undecodable = entries.filter((e) => e.name.includes('\uFFFD'));
    if (undecodable.length > 0) {
      for (const e of undecodable) onEvent({ kind: 'problem', problem: { file: join(dir, e.name), line: 1, column: 1, message: 'name is not valid UTF-8; netra-migrate cannot read it: rename it' } });
      entries = entries.filter((e) => !e.name.includes('\uFFFD'));
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    yield { dir, entries };
    const subdirs: string[] = [];
    for (const e of entries) {
      if (!e.isDirectory() || skippedDir(e.name)) continue;
      if (templateDir(e.name)) onEvent({ kind: 'skipped', dir: join(dir, e.name), reason: 'template (placeholders in its name)' });
      else subdirs.push(join(dir, e.name));
    }
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
