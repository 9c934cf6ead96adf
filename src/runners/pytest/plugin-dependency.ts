/**
 * Fixes that rely on a plugin also declare it: where the project does not have the plugin yet, the edit
 * that adds it to the list already holding pytest (in that list's style), or a note on where to add it.
 */
import type { Edit } from '../../core/diagnostic.js';
import { testDependencyList } from '../../formats/dependencies.js';
import { compareVersions, lowerBound } from '../../formats/requirements.js';
import type { PytestProject } from './project.js';

export interface PluginDependency {
  edit: Edit | null;
  /** Where the edit adds it (`[dependency-groups] dev`). */
  group?: string;
  /** The plugin is neither present nor added: a fix relying on it is unsafe. */
  missing: boolean;
  /** Appended to the finding's message. */
  note: string;
}

export function pluginDependency(project: PytestProject, plugin: string, specifier = ''): PluginDependency {
  const have = pluginVersion(project, plugin);
  if (have && (!specifier || !have.version || compareVersions(have.version, lowerBound(specifier) ?? '0') >= 0))
    return { edit: null, missing: false, note: '' };
  const list = testDependencyList(project.dependencies);
  const edit = have ? null : (list?.add(plugin, specifier) ?? null);
  if (edit && list) return { edit, group: list.group, missing: false, note: `; the fix also adds ${plugin} to ${list.group}` };
  const place = list
    ? `${list.group} cannot be extended without rewriting it`
    : project.dependencies.files.length > 0
      ? `no dependency list in ${project.where} holds pytest`
      : 'no dependency file found at or above the config';
  const why = have
    ? `${plugin} ${have.version} (${have.from}) is older than ${specifier.replace(/^>=/, '')}`
    : `the project does not declare ${plugin} (${place})`;
  return {
    edit: null,
    missing: true,
    note: `; ${why}: add ${plugin}${specifier} to the project's test dependencies, or pytest will not start with the fixed config`,
  };
}

/**
 * The version of a distribution the project has, and where that came from: installed (the environment),
 * locked, or the lower bound of what it declares (version '' when it declares no bound).
 */
export function pluginVersion(project: PytestProject, name: string): { version: string; from: string } | null {
  const installed = project.installed?.distributions.get(name);
  if (installed) return { version: installed.version, from: `installed in ${project.installed!.python}` };
  const locked = project.dependencies.locked.get(name);
  if (locked) return { version: locked.version, from: locked.file };
  const declared = project.dependencies.lists.flatMap((l) =>
    l.dependencies.filter((d) => d.requirement.name === name).map((d) => ({ d, l })),
  );
  if (declared.length === 0) return null;
  const { d, l } = declared[0]!;
  return {
    version: lowerBound(d.requirement.specifier) ?? '',
    from: `${l.group}${d.requirement.specifier ? ` ${d.requirement.specifier}` : ''}`,
  };
}
