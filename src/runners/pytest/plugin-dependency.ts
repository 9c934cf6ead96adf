/**
 * Fixes that rely on a plugin also declare it: where the project does not have the plugin yet, the edit
 * that adds it to the list already holding pytest (in that list's style), or a note on where to add it.
 */
import type { Edit } from '../../core/diagnostic.js';
import { testDependencyLists, type DependencyList } from '../../formats/dependencies.js';
import { compareVersions, lowerBound } from '../../formats/requirements.js';
import type { PytestProject } from './project.js';

export interface PluginDependency {
  /** The edits that add it to every list an environment running pytest installs from. */
  edits: Edit[];
  /** Where the edits add it (`[dependency-groups] dev`, `requirements-ci.txt and requirements-win-test.txt`). */
  group?: string;
  /** The lists the edits add it to (an environment installing from one of them gets it). */
  lists?: DependencyList[];
  /** The plugin is neither present nor added to every such list, or a lock must be updated: a fix relying on it is unsafe. */
  missing: boolean;
  /** Appended to the finding's message. */
  note: string;
}

const and = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

export function pluginDependency(project: PytestProject, plugin: string, specifier = ''): PluginDependency {
  const have = pluginVersion(project, plugin);
  if (have && (!specifier || !have.version || compareVersions(have.version, lowerBound(specifier) ?? '0') >= 0))
    return { edits: [], missing: false, note: '' };
  const lists = have ? [] : testDependencyLists(project.dependencies);
  const added = lists.flatMap((list) => {
    const edit = list.add(plugin, specifier);
    return edit ? [{ list, edit }] : [];
  });
  if (added.length > 0 && added.length === lists.length) {
    const group = and(added.map((a) => a.list.group));
    const regenerate = added.flatMap((a) => (a.list.regenerate ? [a.list.regenerate] : []));
    // A lock or a compiled file still lacks it after the edit: the environment built from it would not start.
    const then = regenerate.length
      ? `, then ${and(regenerate)}: until then an environment installed from them lacks it, and pytest will not start with the fixed config`
      : '';
    return {
      edits: added.map((a) => a.edit),
      group,
      lists: added.map((a) => a.list),
      missing: regenerate.length > 0,
      note: `; the fix also adds ${plugin} to ${group}${then}`,
    };
  }
  const stuck = lists.filter((l) => !added.some((a) => a.list === l));
  const place = stuck.length
    ? `${and(stuck.map((l) => l.group))} cannot be extended without rewriting it`
    : project.dependencies.files.length > 0
      ? `no dependency list in ${project.where} holds pytest`
      : 'no dependency file found at or above the config';
  const why = have
    ? `${plugin} ${have.version} (${have.from}) is older than ${specifier.replace(/^>=/, '')}`
    : `the project does not declare ${plugin} (${place})`;
  return {
    edits: added.map((a) => a.edit),
    group: added.length ? and(added.map((a) => a.list.group)) : undefined,
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
