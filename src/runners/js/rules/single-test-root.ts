import { defineRule } from '../../../core/rule.js';
import { stringItems, type JsProperty } from '../../../formats/js.js';
import { removeMembers } from '../../../formats/js-edit.js';
import { resolve } from 'node:path';
import { projectEntries, type JsConfigTarget, type ProjectEntry } from '../config.js';
import { option, runnerTitle } from '../rule-kit.js';
import { configRoot, countTestFiles, jsGlobRegExp, testFileMatcher, testFiles } from '../test-files.js';

interface Options {
  root?: string;
  allow?: string[];
  maxProjects?: number;
}

/** The directory a glob starts from: its segments before the first one with a glob character. */
export function globRoot(glob: string): string {
  const segments = glob.replace(/^\.\//, '').split('/');
  const fixed: string[] = [];
  for (const s of segments.slice(0, -1)) {
    if (/[*?[\]{}!()]/.test(s)) break;
    fixed.push(s);
  }
  return fixed.join('/') || '.';
}

export default defineRule<JsConfigTarget, 'roots' | 'include' | 'projectInclude' | 'projects', Options>({
  meta: {
    id: 'single-test-root',
    runners: ['jest', 'vitest'],
    // Several roots in a config's `roots`/`include` are policy (one process crawls and holds them all): an
    // error under strict. `projects`, and a Vitest project's own `include` (its file filter), are warnings
    // under every preset unless over `maxProjects` (those findings set their own severity).
    severity: { recommended: 'warning', strict: 'error' },
    fix: 'unsafe',
    description: 'A test run collects from one root, not several.',
    messages: {
      roots:
        'Jest `roots` lists {{count}} roots ({{roots}}); each is crawled and its modules held by every worker: {{dropped}} would no longer be searched for tests',
      include: 'Vitest `include` collects from {{count}} roots ({{roots}}): {{dropped}} would no longer be collected by default',
      projectInclude:
        'Vitest project `{{project}}` collects from {{count}} roots ({{roots}}) through its `include`, its file filter: if memory is tight, give {{dropped}} a project of its own; narrowing `include` alone would stop running them',
      projects:
        "{{runner}} `{{key}}` runs {{count}} projects in one process tree ({{detail}}): their workers hold each project's transforms and module graphs; split large groups into separate CI jobs if memory is tight",
    },
    options: {
      type: 'object',
      properties: {
        root: { type: 'string', description: 'Jest, Vitest: the root to keep (default: the one with the most test files).' },
        allow: { type: 'array', items: { type: 'string' }, description: 'Roots that may stay listed.' },
        maxProjects: {
          type: 'integer',
          minimum: 1,
          maximum: 100_000,
          description:
            'Jest, Vitest: `projects` with more entries than this is an error (by default it is a warning at any count: projects are the idiomatic monorepo layout).',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: {},
    docs: {
      what: "Errors on a Jest config whose `roots` lists more than one root, and a Vitest config whose `include` globs start from more than one directory. Warns on `projects` (Vitest also the removed `workspace`) with more than one entry, naming the count (\"at least N\" where a spread or glob may add more) and each project's test files; an error only above the `maxProjects` option. A Vitest project's own `include` (an inline project in `projects`) spanning several directories is that project's file filter: a warning under every preset, with the narrowing as a suggestion.",
      why: 'Jest crawls every root with its haste map and keeps it in every worker; projects multiply workers and module registries. In the memory-bound containers this tool is for, one root per run, and other roots or projects as separate jobs, keeps the peak bounded.',
      example: {
        file: 'jest.config.js',
        bad: "module.exports = {\n  roots: ['<rootDir>/src', '<rootDir>/legacy'],\n};\n",
        good: "module.exports = {\n  roots: ['<rootDir>/src'],\n};\n",
      },
      fixSafety:
        "Unsafe: the fix keeps one root (option `root`, default the one with the most test files, counted with the config's own `testMatch`/`testRegex`/`testPathIgnorePatterns` or `include`/`exclude` and the runners' defaults) and removes the others from `roots` or `include`, so a plain `jest`/`vitest run` stops collecting their tests (the message gives each root's count); run them explicitly or in their own CI job. A root that holds no test file is never the one kept, and where the counts cannot be known (patterns computed at run time) there is no fix. `projects` gets no fix: which project runs where is the user's call; nor does a Vitest project's own `include`, whose narrowing is a suggestion never applied (nothing else collects the tests it would drop; only the author can say where they go).",
    },
  },
  check(ctx, target) {
    if (!target.options) return;
    const allow = new Set(ctx.options.allow ?? []);
    const projectsKey = target.runner === 'vitest' && option(target, 'workspace') && !option(target, 'projects') ? 'workspace' : 'projects';
    const projects = option(target, projectsKey);
    if (projects && projects.value.kind === 'array' && projects.value.items.length + (projects.value.opaque ? 1 : 0) > 1) {
      const { entries, atLeast } = projectEntries(target, projects.value);
      const max = ctx.options.maxProjects;
      ctx.report({
        messageId: 'projects',
        data: {
          runner: runnerTitle(target),
          key: projectsKey,
          count: `${atLeast ? 'at least ' : ''}${entries.length}`,
          detail: projectDetail(entries),
        },
        severity: 'warning',
        ...(max !== undefined && entries.length > max ? { optionSeverity: 'error' as const } : {}),
        start: projects.keySpan.start,
        end: projects.keySpan.end,
      });
    } else if (projects && target.nxProjects !== undefined && target.nxProjects > 1) {
      // `await getJestProjectsAsync()`: Nx's list of every project with a Jest config (those below this one).
      const max = ctx.options.maxProjects;
      ctx.report({
        messageId: 'projects',
        data: {
          runner: runnerTitle(target),
          key: projectsKey,
          count: `${target.nxProjects}`,
          detail: `the Nx projects with a Jest config, from \`${target.text.slice(projects.value.start, projects.value.end)}\``,
        },
        severity: 'warning',
        ...(max !== undefined && target.nxProjects > max ? { optionSeverity: 'error' as const } : {}),
        start: projects.keySpan.start,
        end: projects.keySpan.end,
      });
    }
    const key = target.runner === 'jest' ? 'roots' : 'include';
    const prop = option(target, key);
    const items = prop ? stringItems(prop.value) : null;
    if (!prop || !items || prop.value.kind !== 'array') return;
    const rootOf = target.runner === 'jest' ? (s: string) => s : globRoot;
    const roots = [...new Set(items.map(rootOf))];
    if (roots.length <= 1) return;
    // Test files per root, matched as the runner matches them (null: the config decides at run time).
    const counts = countPerRoot(target, items, roots, rootOf);
    const described = (r: string) => `\`${r}\`${counts ? ` (${testFiles(counts.get(r)!)})` : ''}`;
    // The root to keep: the one asked for, else the one with the most test files; never one that holds none.
    const keep = ctx.options.root ?? (counts ? roots.reduce((best, r) => (counts.get(r)! > counts.get(best)! ? r : best)) : roots[0]!);
    const dropped = roots.filter((r) => r !== keep && !allow.has(r));
    if (dropped.length === 0) return;
    const drop = new Set(items.flatMap((item, i) => (dropped.includes(rootOf(item)) ? [i] : [])));
    const kept = items.filter((_, i) => !drop.has(i));
    const keepable = counts !== null && roots.includes(keep) && counts.get(keep)! > 0;
    const droppedText =
      dropped.map((r) => `\`${r}\``).join(', ') + (counts ? ` (${testFiles(dropped.reduce((n, r) => n + counts.get(r)!, 0))})` : '');
    if (target.runner === 'vitest' && target.kind === 'project') {
      // A project's `include` is its file filter: nothing else collects what it drops, so only the author
      // can say where those tests go. A warning under every preset; the narrowing is a suggestion, never applied.
      const narrowed = keepable ? fixOf(target, prop, kept, drop) : null;
      ctx.report({
        messageId: 'projectInclude',
        data: { project: target.project ?? '', count: roots.length, roots: roots.map(described).join(', '), dropped: droppedText },
        severity: 'warning',
        start: prop.value.start,
        end: prop.value.end,
        fix: null,
        ...(narrowed ? { suggest: [{ title: narrowed.title, edits: narrowed.edits }] } : {}),
      });
      return;
    }
    ctx.report({
      messageId: key,
      data: {
        count: roots.length,
        roots: roots.map(described).join(', '),
        dropped: droppedText,
      },
      start: prop.value.start,
      end: prop.value.end,
      fix: keepable ? fixOf(target, prop, kept, drop) : null,
    });
  },
});

/** Test files under each root, by the config's own test patterns; null when they cannot be known without running it. */
function countPerRoot(target: JsConfigTarget, items: string[], roots: string[], rootOf: (s: string) => string): Map<string, number> | null {
  const matches = testFileMatcher(target);
  const base = configRoot(target);
  if (!matches || base === null) return null;
  const counts = new Map<string, number>();
  for (const r of roots) {
    if (target.runner === 'jest') {
      counts.set(r, countTestFiles(resolve(base, r.split('<rootDir>').join('.')), matches));
      continue;
    }
    // Vitest: files under the root that one of its own globs takes (and no `exclude` drops).
    const globs = items.filter((item) => rootOf(item) === r).map((g) => jsGlobRegExp(`${base}/${g.replace(/^\.\//, '')}`));
    counts.set(
      r,
      countTestFiles(resolve(base, r), (path) => matches(path) && globs.some((g) => g.test(path))),
    );
  }
  return counts;
}

/** `a: 12 test files, b: 3 test files, ... and 18 more`: the first few projects with their test files where known. */
function projectDetail(entries: readonly ProjectEntry[]): string {
  const SHOWN = 4;
  const named = entries
    .slice(0, SHOWN)
    .map((e) => `\`${e.label}\`${e.testFiles === null ? '' : `: ${e.testFiles} test file${e.testFiles === 1 ? '' : 's'}`}`);
  return named.join(', ') + (entries.length > SHOWN ? ` and ${entries.length - SHOWN} more` : '');
}

function fixOf(target: JsConfigTarget, prop: JsProperty, kept: string[], drop: ReadonlySet<number>) {
  if (
    kept.length === 0 ||
    prop.value.kind !== 'array' ||
    prop.value.file !== target.file ||
    prop.value.items.length !== prop.value.literal.elements.length
  )
    return null;
  return {
    title: `Keep ${kept.join(', ')}`,
    applicability: 'unsafe' as const,
    edits: removeMembers(target.text, prop.value.literal, drop),
  };
}
