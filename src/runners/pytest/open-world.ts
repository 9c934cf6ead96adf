/**
 * Open-world decisions, the same for command-line flags, ini keys and marks: what netra-migrate does not
 * know is not wrong.
 *
 * - known: pytest's own, a plugin the project declares (or locks, or has installed), or what its conftest.py
 *   and local plugin modules register → checked as usual;
 * - undeclared: a registry plugin owns it but the project does not declare it → an error naming the plugin
 *   and where dependencies were looked for, never a fix that deletes it;
 * - unverifiable: nothing owns it, but the project declares a plugin the registry lacks or loads a local
 *   plugin netra-migrate could not read fully → at most a warning, never a fix that removes it;
 * - unknown: nothing owns it and every plugin the project has is known → an error as before.
 */
import { flagSpec, keyInfo } from './schema.js';
import { PYTEST_MARKS, plugins } from './plugins.js';
import type { PytestProject } from './project.js';
import { isPytestPluginName } from './plugins.js';

export type OpenWorldDecision =
  | { kind: 'known'; by: string }
  | { kind: 'undeclared'; plugin: string; where: string }
  | { kind: 'unverifiable'; why: string }
  | { kind: 'unknown' };

export type Registered = 'flag' | 'key' | 'mark';

function pytestOwns(what: Registered, name: string): boolean {
  if (what === 'flag') return flagSpec(name)?.plugin === 'pytest';
  if (what === 'key') return keyInfo(name)?.plugin === 'pytest';
  return PYTEST_MARKS.has(name);
}

export function decide(project: PytestProject, what: Registered, name: string): OpenWorldDecision {
  if (pytestOwns(what, name)) return { kind: 'known', by: 'pytest' };
  const local =
    what === 'flag' ? project.local.flags.get(name)?.file : what === 'key' ? project.local.keys.get(name) : project.local.markers.get(name);
  if (local) return { kind: 'known', by: local };
  const registry = plugins();
  const owner = what === 'flag' ? registry.byFlag(name) : what === 'key' ? registry.byKey(name) : registry.byMarker(name);
  if (owner) {
    const present = registry.owners(what, name).find((r) => project.present.has(r.distribution));
    if (present) return { kind: 'known', by: present.distribution };
    const dist = owner.distribution;
    // Nothing says which plugins the project has (a config with no dependency file): neither wrong nor known.
    if (!project.informed)
      return { kind: 'unverifiable', why: `it belongs to ${dist}, and ${project.where} says whether the project has it` };
    // A package that ships a pytest plugin beside its main purpose (anyio, celery, hypothesis) usually comes
    // in through another dependency; only a lock file or an environment can tell it is absent.
    const exact = project.installed !== null || project.dependencies.locked.size > 0;
    if (!isPytestPluginName(dist) && !exact) {
      return {
        kind: 'unverifiable',
        why: `it belongs to ${dist}'s pytest plugin, which ${project.where} do${project.dependencies.files.length === 1 ? 'es' : ''} not list directly (it may come in through another dependency)`,
      };
    }
    // A declared plugin netra-migrate has no record of (a fork such as pytest-subket) may register it too.
    if (project.unknownPlugins.length > 0) {
      return {
        kind: 'unverifiable',
        why: `it belongs to ${dist}, which the project does not declare, but the project declares ${project.unknownPlugins.slice(0, 3).join(', ')}, which netra-migrate has no record of and which may register it`,
      };
    }
    return { kind: 'undeclared', plugin: dist, where: project.where };
  }
  if (project.unknownPlugins.length > 0) {
    const names = project.unknownPlugins;
    return {
      kind: 'unverifiable',
      why: `no plugin netra-migrate knows registers it, and the project ${project.installed ? 'has' : 'declares'} ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}, which netra-migrate has no record of`,
    };
  }
  if (project.local.unreadable.length > 0)
    return {
      kind: 'unverifiable',
      why: `no plugin netra-migrate knows registers it, and the local plugin ${project.local.unreadable[0]} registers names netra-migrate cannot read statically`,
    };
  return { kind: 'unknown' };
}
