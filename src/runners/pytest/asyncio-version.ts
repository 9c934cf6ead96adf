/**
 * The pytest-asyncio version a project's advice is about, and where that came from: the environment
 * (`--python` or the project's venv), a lock file, or the lower bound the project declares. Messages name
 * it, so a reader sees which version a finding assumes.
 */
import { compareVersions } from '../../formats/requirements.js';
import { pluginVersion } from './plugin-dependency.js';
import type { PytestProject } from './project.js';
import { usesPytestAsyncio, type PytestTarget } from './target.js';

export interface AsyncioVersion {
  /** A release number (`0.23.8`, `1.0`), or null when nothing says which. */
  version: string | null;
  /** For messages: `pytest-asyncio 0.23.8 from uv.lock` or `pytest-asyncio 1.x, assumed: no version declared`. */
  label: string;
}

export function asyncioVersion(project: PytestProject | null): AsyncioVersion {
  const found = project ? pluginVersion(project, 'pytest-asyncio') : null;
  if (found?.version) return { version: found.version, label: `pytest-asyncio ${found.version} from ${found.from}` };
  return { version: null, label: `pytest-asyncio 1.x, assumed: ${found ? `${found.from} names no version` : 'no version declared'}` };
}

/** Whether the version is known to be older than `release`. */
export const olderThan = (v: AsyncioVersion, release: string) => v.version !== null && compareVersions(v.version, release) < 0;

/** pytest-asyncio in use: the config's keys or required_plugins, a declaration, or a test module importing it. */
export function usesAsyncio(target: PytestTarget, project: PytestProject | null): boolean {
  if (usesPytestAsyncio(target, project)) return true;
  return (target.sources ?? []).some((s) => s.names.pytestAsyncio.length > 0 || s.marks.some((m) => m.name === 'asyncio'));
}
