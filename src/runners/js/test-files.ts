/**
 * Which files Jest and Vitest would take for tests under a directory, from the config's own `testMatch` /
 * `testRegex` / `testPathIgnorePatterns` (Jest) or `include` / `exclude` (Vitest), with the runners' defaults
 * where the config says nothing: a fix that drops a root says how many test files go with it, and never
 * keeps a root that holds none.
 */
import { resolve } from 'node:path';
import picomatch from 'picomatch';
import { walkDirs } from '../../core/walk.js';
import { property, stringItems } from '../../formats/js.js';
import type { JsConfigTarget } from './config.js';
import { option } from './rule-kit.js';

/** Jest 30's default `testMatch`. */
export const JEST_TEST_MATCH = ['**/__tests__/**/*.?([mc])[jt]s?(x)', '**/?(*.)+(spec|test).?([mc])[jt]s?(x)'];
/** Vitest 4's default `include` and `exclude`. */
export const VITEST_INCLUDE = ['**/*.{test,spec}.?(c|m)[jt]s?(x)'];
const VITEST_EXCLUDE = ['**/node_modules/**', '**/.git/**'];

/** A glob as Jest (micromatch) and Vitest (tinyglobby) read these options: picomatch, dot files included. */
export function jsGlobRegExp(glob: string): RegExp {
  return picomatch.makeRe(glob, { dot: true });
}

/** The directory a config's paths are relative to: Jest's `rootDir`, Vitest's `root` (else the config's own). */
export function configRoot(target: JsConfigTarget): string | null {
  const dir = resolve(target.file, '..');
  const key = target.runner === 'jest' ? 'rootDir' : 'root';
  // Vitest: `test.root`, else Vite's own top-level `root`.
  const set = option(target, key) ?? (target.runner === 'vitest' && target.config ? property(target.config, 'root') : undefined);
  if (!set) return dir;
  if (set.value.kind === 'string') return resolve(dir, set.value.value);
  return set.value.kind === 'computed' ? fromConfigDir(set.value.text, dir) : null;
}

const HERE = String.raw`(?:import\.meta\.dirname|__dirname|(?:path\.)?dirname\(\s*(?:url\.)?fileURLToPath\(\s*import\.meta\.url\s*\)\s*\))`;
const STRING_ARGS = String.raw`((?:\s*,\s*(?:'[^'\\]*'|"[^"\\]*"))*)`;
const JOINED = new RegExp(String.raw`^(?:path\.|node_path\.)?(?:join|resolve)\(\s*${HERE}${STRING_ARGS}\s*,?\s*\)$`);
const URL_PATH = /^(?:url\.)?fileURLToPath\(\s*new URL\(\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*,\s*import\.meta\.url\s*\)\s*\)$/;

/**
 * A directory written as code that names a path from the config's own directory: `path.join(import.meta.dirname,
 * 'sub')`, `resolve(__dirname, 'a', 'b')`, `fileURLToPath(new URL('./sub', import.meta.url))`. Null for anything else.
 */
export function fromConfigDir(code: string, dir: string): string | null {
  const text = code.trim();
  const joined = JOINED.exec(text);
  if (joined) return resolve(dir, ...[...joined[1]!.matchAll(/'([^'\\]*)'|"([^"\\]*)"/g)].map((m) => m[1] ?? m[2]!));
  const url = URL_PATH.exec(text);
  return url ? resolve(dir, url[1] ?? url[2]!) : null;
}

/** A predicate over absolute paths: is this file a test file for the config? Null when the config decides at run time. */
export function testFileMatcher(target: JsConfigTarget): ((path: string) => boolean) | null {
  const root = configRoot(target);
  if (root === null) return null;
  const withRoot = (s: string) => s.split('<rootDir>').join(root);
  const list = (key: string, fallback: string[]): string[] | null => {
    const found = option(target, key);
    return found ? stringItems(found.value) : fallback;
  };
  if (target.runner === 'jest') {
    const regex = option(target, 'testRegex');
    const ignore = list('testPathIgnorePatterns', ['/node_modules/']);
    if (!ignore) return null;
    const ignored = ignore.map((p) => new RegExp(withRoot(p)));
    let matches: (path: string) => boolean;
    if (regex) {
      const sources = stringItems(regex.value);
      if (!sources) return null;
      const res = sources.map((s) => new RegExp(s));
      matches = (path) => res.some((r) => r.test(path));
    } else {
      const globs = list('testMatch', JEST_TEST_MATCH);
      if (!globs) return null;
      const positive = globs.filter((g) => !g.startsWith('!')).map((g) => jsGlobRegExp(withRoot(g)));
      const negative = globs.filter((g) => g.startsWith('!')).map((g) => jsGlobRegExp(withRoot(g.slice(1))));
      matches = (path) => positive.some((r) => r.test(path)) && !negative.some((r) => r.test(path));
    }
    return (path) => matches(path) && !ignored.some((r) => r.test(path));
  }
  const include = list('include', VITEST_INCLUDE);
  const exclude = list('exclude', VITEST_EXCLUDE);
  if (!include || !exclude) return null;
  const relativeTo = (g: string) => (g.startsWith('/') ? g : `${root}/${g.replace(/^\.\//, '')}`);
  const positive = include.map((g) => jsGlobRegExp(relativeTo(g)));
  const negative = exclude.map((g) => jsGlobRegExp(g.startsWith('**') ? g : relativeTo(g)));
  return (path) => positive.some((r) => r.test(path)) && !negative.some((r) => r.test(path));
}

/** How many files under `dir` the matcher takes (node_modules and build output are not walked). */
export function countTestFiles(dir: string, matches: (path: string) => boolean): number {
  let n = 0;
  for (const { dir: d, entries } of walkDirs(dir)) {
    for (const e of entries) if (e.isFile() && matches(`${d}/${e.name}`.split('\\').join('/'))) n++;
  }
  return n;
}

export const testFiles = (n: number) => `${n} test file${n === 1 ? '' : 's'}`;
