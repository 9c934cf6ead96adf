/**
 * Jest `projects` that name config files or directories (`'<rootDir>/packages/*'`): the configs found in
 * them run as projects of the root config, which is where Jest reads its root-only options.
 */
import { dirname, resolve } from 'node:path';

import type { JsConfigTarget } from './config.js';
import { option } from './rule-kit.js';
import { configRoot, jsGlobRegExp } from './test-files.js';

const GLOB = /[*?[\]{}!()]/;

/** Give each Jest config that a root config's `projects` lists that root as its `jestRoot`. */
export function linkJestProjects(targets: readonly JsConfigTarget[]): void {
  for (const root of targets) {
    if (root.runner !== 'jest' || root.kind === 'project') continue;
    const projects = option(root, 'projects');
    if (projects?.value.kind === 'computed' && isNxProjects(projects.value.text)) root.nxProjects = nxProjectCount(root, targets);
    const base = configRoot(root);
    if (!projects || base === null || projects.value.kind !== 'array') continue;
    const paths = projects.value.items.flatMap((item) =>
      item.kind === 'string' ? [resolve(base, item.value.split('<rootDir>').join(base))] : [],
    );
    const matchers = paths.map((p) => (GLOB.test(p) ? (f: string) => jsGlobRegExp(p).test(f) : (f: string) => f === p));
    for (const target of targets) {
      if (target === root || target.runner !== 'jest' || target.kind === 'project' || target.jestRoot) continue;
      if (matchers.some((m) => m(target.file) || m(dirname(target.file)))) target.jestRoot = root;
    }
  }
}

/** `projects: await getJestProjectsAsync()` (Nx): every Jest config below the root's directory is a project. */
export function nxProjectCount(root: JsConfigTarget, targets: readonly JsConfigTarget[]): number {
  const dir = dirname(root.file);
  return targets.filter((t) => t !== root && t.runner === 'jest' && t.kind !== 'project' && t.file.startsWith(dir + '/')).length;
}

export const isNxProjects = (code: string) => /\bgetJestProjects(?:Async)?\s*\(/.test(code);
