/**
 * What a Python project's source distribution holds, read statically from its build configuration:
 * distribution packagers build and test from the sdist, so a file a fix writes that the sdist leaves out
 * (a module a config loads) stops pytest there.
 *
 * - hatchling: `[tool.hatch.build.targets.sdist]` (or `[tool.hatch.build]`) `include`, `only-include`,
 *   `exclude` (gitignore-style; without include, everything);
 * - flit_core: the package, plus `[tool.flit.sdist] include` minus `exclude`;
 * - setuptools: `MANIFEST.in` (`include`, `recursive-include`, `graft`, `prune`, `exclude`,
 *   `global-exclude`) over its defaults (packages, `test/test*.py`, `tests/test*.py`); with setuptools-scm,
 *   every tracked file;
 * - Poetry: `packages`, `include` (minus `exclude`); PDM: `includes`, `source-includes` (tests/ by default).
 *
 * `ships(path)` answers for a path relative to the project root: true, false, or null when the build
 * configuration cannot be read well enough to say.
 */
import { join } from 'node:path';
import picomatch from 'picomatch';
import { keyValues, parseToml, tomlValue } from '../../formats/toml.js';

export interface Sdist {
  backend: 'hatchling' | 'flit' | 'setuptools' | 'poetry' | 'pdm' | 'other';
  /** How the answer is reached, for messages: `[tool.hatch.build.targets.sdist] include`. */
  rule: string;
  ships(path: string): boolean | null;
}

interface Files {
  read(path: string): string | null;
}

const strings = (v: unknown): string[] | null => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null);

/** gitignore-style (hatch): `/src` anchored, `tests` anywhere; a directory pattern covers what is under it. */
function gitignoreMatch(pattern: string, path: string): boolean {
  const anchored = pattern.startsWith('/') || pattern.replace(/\/$/, '').includes('/');
  const p = pattern.replace(/^\//, '').replace(/\/$/, '');
  const re = picomatch.makeRe(anchored ? p : `**/${p}`, { dot: true });
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) if (re.test(parts.slice(0, i).join('/'))) return true;
  return false;
}

/** A glob relative to the root, or a directory prefix (flit, Poetry, PDM). */
function globMatch(pattern: string, path: string): boolean {
  const p = pattern.replace(/^\.\//, '').replace(/\/$/, '');
  const re = picomatch.makeRe(p, { dot: true });
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) if (re.test(parts.slice(0, i).join('/'))) return true;
  return false;
}

function tableValues(text: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const doc = parseToml(text);
  if (!doc.ast) return out;
  for (const { path, node } of keyValues(doc.ast)) out.set(path.join('.'), tomlValue(node.value));
  return out;
}

/** setuptools' MANIFEST.in over its defaults; null where a command cannot be read. */
function manifestShips(manifest: string | null, path: string, packages: (p: string) => boolean): boolean | null {
  const name = path.split('/').pop()!;
  let shipped =
    packages(path) || /^tests?\/test[^/]*\.py$/.test(path) || /^(setup\.(py|cfg)|pyproject\.toml|README[^/]*|LICEN[CS]E[^/]*)$/.test(path);
  if (manifest === null) return shipped;
  const under = (dir: string) => dir === '.' || path === dir || path.startsWith(`${dir.replace(/\/$/, '')}/`);
  const any = (pats: string[], s: string) => pats.some((p) => picomatch.makeRe(p, { dot: true }).test(s));
  for (const raw of manifest.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const [cmd, ...args] = line.split(/\s+/);
    switch (cmd) {
      case 'include':
        if (any(args, path)) shipped = true;
        break;
      case 'exclude':
        if (any(args, path)) shipped = false;
        break;
      case 'recursive-include':
        if (under(args[0]!) && any(args.slice(1), name)) shipped = true;
        break;
      case 'recursive-exclude':
        if (under(args[0]!) && any(args.slice(1), name)) shipped = false;
        break;
      case 'global-include':
        if (any(args, name)) shipped = true;
        break;
      case 'global-exclude':
        if (any(args, name)) shipped = false;
        break;
      case 'graft':
        if (under(args[0]!)) shipped = true;
        break;
      case 'prune':
        if (under(args[0]!)) shipped = false;
        break;
      default:
        return null;
    }
  }
  return shipped;
}

export function readSdist(files: Files, root: string): Sdist | null {
  const pyText = files.read(join(root, 'pyproject.toml'));
  const v = pyText !== null ? tableValues(pyText) : new Map<string, unknown>();
  const backend = String(v.get('build-system.build-backend') ?? '');
  const requires = (strings(v.get('build-system.requires')) ?? []).join(' ');
  const manifest = files.read(join(root, 'MANIFEST.in'));
  // A package directory of the project (holding __init__.py), at the root or under src/: setuptools ships its modules.
  const inPackage = (path: string) => {
    const parts = path.split('/');
    const start = parts[0] === 'src' ? 1 : 0;
    return (
      parts.length > start + 1 &&
      files.read(join(root, ...parts.slice(0, start + 1), '__init__.py')) !== null &&
      !/^tests?$/.test(parts[start]!)
    );
  };
  if (backend.startsWith('hatchling')) {
    const sdist = 'tool.hatch.build.targets.sdist';
    const include =
      strings(v.get(`${sdist}.only-include`)) ?? strings(v.get(`${sdist}.include`)) ?? strings(v.get('tool.hatch.build.include'));
    const exclude = [...(strings(v.get(`${sdist}.exclude`)) ?? []), ...(strings(v.get('tool.hatch.build.exclude')) ?? [])];
    return {
      backend: 'hatchling',
      rule: include ? '[tool.hatch.build.targets.sdist] include' : 'hatch (every file not ignored)',
      ships: (path) => (include ? include.some((p) => gitignoreMatch(p, path)) : true) && !exclude.some((p) => gitignoreMatch(p, path)),
    };
  }
  if (backend.startsWith('flit_core')) {
    const include = strings(v.get('tool.flit.sdist.include')) ?? [];
    const exclude = strings(v.get('tool.flit.sdist.exclude')) ?? [];
    return {
      backend: 'flit',
      rule: '[tool.flit.sdist] include',
      ships: (path) => (inPackage(path) || include.some((p) => globMatch(p, path))) && !exclude.some((p) => globMatch(p, path)),
    };
  }
  if (backend.startsWith('poetry')) {
    const include = (Array.isArray(v.get('tool.poetry.include')) ? (v.get('tool.poetry.include') as unknown[]) : []).map((x) =>
      typeof x === 'string' ? x : x && typeof x === 'object' ? String((x as Record<string, unknown>).path ?? '') : '',
    );
    const exclude = strings(v.get('tool.poetry.exclude')) ?? [];
    return {
      backend: 'poetry',
      rule: '[tool.poetry] include',
      ships: (path) => (inPackage(path) || include.some((p) => p && globMatch(p, path))) && !exclude.some((p) => globMatch(p, path)),
    };
  }
  if (backend.startsWith('pdm')) {
    const include = [
      ...(strings(v.get('tool.pdm.build.includes')) ?? []),
      ...(strings(v.get('tool.pdm.build.source-includes')) ?? ['tests']),
    ];
    const exclude = strings(v.get('tool.pdm.build.excludes')) ?? [];
    return {
      backend: 'pdm',
      rule: '[tool.pdm.build] source-includes',
      ships: (path) => (inPackage(path) || include.some((p) => globMatch(p, path))) && !exclude.some((p) => globMatch(p, path)),
    };
  }
  if (
    backend.startsWith('setuptools') ||
    (!backend && (files.read(join(root, 'setup.py')) !== null || files.read(join(root, 'setup.cfg')) !== null))
  ) {
    // setuptools-scm adds every file git tracks.
    if (/setuptools[-_]scm/.test(requires))
      return { backend: 'setuptools', rule: 'setuptools-scm (every tracked file)', ships: () => true };
    return {
      backend: 'setuptools',
      rule: manifest !== null ? 'MANIFEST.in' : "setuptools' defaults (no MANIFEST.in)",
      ships: (path) => manifestShips(manifest, path, inPackage),
    };
  }
  if (backend) return { backend: 'other', rule: backend, ships: () => null };
  return null;
}
