import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Edit } from '../../../core/diagnostic.js';
import { defineRule, type RuleContext } from '../../../core/rule.js';
import { appendItems, removeMembers, replaceValue, type Literal } from '../../../formats/js-edit.js';
import { property, type JsObject, type JsProperty } from '../../../formats/js.js';
import { NODE_MONITOR, VITEST_ADAPTER } from '../../../monitor/stamp.js';
import { inlineProjects, type JsConfigTarget } from '../config.js';
import { addOptions, missingAt, option, readableOptions, readFromRoot, subject } from '../rule-kit.js';
import { vitestRoot } from '../environments.js';
import { fromConfigDir } from '../test-files.js';

interface Options {
  workerIdleMemoryLimit?: string;
  nodeHeapMb?: number;
  monitorPath?: string;
}

export const NODE_MONITOR_FILE = NODE_MONITOR.file;
export const VITEST_ADAPTER_FILE = VITEST_ADAPTER.file;
/**
 * The heap limits each Vitest 4 pool accepts (measured with Vitest 4.1): child processes (`forks`, `vmForks`)
 * take `--max-old-space-size` in `execArgv`; worker threads (`threads`, `vmThreads`) refuse it and Vitest then
 * runs no test; the vm pools recycle a worker past `vmMemoryLimit`. `threads` accepts neither: only the
 * monitor applies there.
 */
const POOL_LIMITS: Record<string, { execArgv: boolean; vmMemoryLimit: boolean }> = {
  forks: { execArgv: true, vmMemoryLimit: false },
  vmForks: { execArgv: true, vmMemoryLimit: true },
  threads: { execArgv: false, vmMemoryLimit: false },
  vmThreads: { execArgv: false, vmMemoryLimit: true },
};

/** Vitest browser mode (`browser.enabled` anything but a literal false, or a browser set up to be enabled from the command line): tests run in a browser page, not in Node. */
function browserEnabled(options: JsObject | null): boolean {
  const browser = options ? property(options, 'browser') : undefined;
  if (!browser) return false;
  if (browser.value.kind !== 'object') return browser.value.kind !== 'boolean' || browser.value.value;
  const enabled = property(browser.value, 'enabled');
  if (enabled !== undefined && !(enabled.value.kind === 'boolean' && !enabled.value.value)) return true;
  // `enabled: false` with a provider or instances set up: one `--browser.enabled` away from a browser run.
  return ['provider', 'instances', 'name'].some((key) => property(browser.value as JsObject, key) !== undefined);
}

const inBrowser = (target: JsConfigTarget) => browserEnabled(target.options);

const listsMonitor = (p: JsProperty | undefined, file: string) =>
  p !== undefined &&
  (p.value.kind === 'string'
    ? p.value.value.endsWith(file)
    : p.value.kind === 'array' && p.value.items.some((i) => i.kind === 'string' && i.value.endsWith(file)));

/**
 * A list option the monitor is added to: appended to its array, a single string turned into a list of it and
 * the monitor (in the file's style), or added as a new key. Null when written as code.
 */
function registerIn(target: JsConfigTarget, key: string, entry: string): { edits: Edit[] } | { add: [string, Literal] } | null {
  const existing = option(target, key);
  // Absent, or only in a Jest preset (Jest appends the config's own list to the preset's).
  if (!existing || existing.concatenated) return { add: [key, [entry]] };
  const value = existing.value;
  if (value.kind === 'array' && !value.opaque && value.literal.file === target.file)
    return { edits: appendItems(target.text, value.literal, [entry], target.style) };
  if (value.kind === 'string' && value.file === target.file)
    return { edits: [replaceValue(target.text, value, [{ code: target.text.slice(value.start, value.end) }, entry], target.style)] };
  return null;
}

/** `dir` as a path relative to `from`, with forward slashes and a leading `./` (`../../`, `./`). */
function relativeDir(from: string, dir: string): string {
  const rel = relative(from, dir).split('\\').join('/');
  return rel === '' ? './' : rel.startsWith('.') ? `${rel}/` : `./${rel}/`;
}

/** Jest resolves setup files from `rootDir` (the config's directory unless set). Null when `rootDir` is code. */
function jestMonitorPath(target: JsConfigTarget, monitorDir: string): string | null {
  const rootDir = option(target, 'rootDir');
  if (rootDir && rootDir.value.kind !== 'string') return null;
  // An inline project's `rootDir: '<rootDir>/a'` starts from the root config's directory.
  const root =
    rootDir?.value.kind === 'string'
      ? resolve(dirname(target.file), rootDir.value.value.split('<rootDir>').join('.'))
      : dirname(target.file);
  const rel = relative(root, monitorDir).split('\\').join('/');
  return `<rootDir>/${rel ? rel + '/' : ''}${NODE_MONITOR_FILE}`;
}

/**
 * What a Vitest config's root-level `test` options reach when it has `projects`: null without projects (the
 * config runs its tests itself), `some` when inline projects inherit them (`extends: true`), `none` when no
 * project does (string entries are configs of their own), `unknown` when the list is computed in part
 * (`...projects.map(...)`): which of those inherit, and from which root they resolve a path, is not known.
 * Root-level options reach a project that merges the root config in (`mergeConfig(base, ...)`) too: they are
 * left alone there, and the monitor goes into each such project's own config.
 */
function projectsRoot(target: JsConfigTarget): 'some' | 'none' | 'unknown' | null {
  if (target.kind === 'project') return null;
  const projects = option(target, 'projects');
  // A `projects` list merged in from a base config (`mergeConfig(base, ...)` in each package of a monorepo
  // whose root lists the packages) does not make the package a list of projects: Vitest runs it as a project.
  if (!projects || ('file' in projects.value && projects.value.file !== target.file)) return null;
  if (inlineProjects(target, 'extending').length > 0) return 'some';
  return projects.value.kind !== 'array' || projects.value.opaque || projects.value.items.some((i) => i.kind === 'computed')
    ? 'unknown'
    : 'none';
}

/**
 * An inline project that inherits the root's options (`extends: true`): unless it runs in a browser, or the
 * monitor is already listed (its own `setupFiles`, or the root's resolving from the project's root), the
 * monitor goes into its own `setupFiles`, with a path from its own root (`root: path.join(import.meta.dirname,
 * 'sub')` is read as the directory it names).
 */
function checkExtendingProject(
  ctx: RuleContext<'missing' | 'threadsHeapFlag', Options>,
  root: JsConfigTarget,
  project: JsConfigTarget,
  dir: string,
): void {
  if (inBrowser(project)) return;
  // An inline project's `root` is taken from the root config's (Vitest resolves both from where the run starts).
  const mainRoot = vitestRoot(root);
  const ownRoot = option(project, 'root') ?? (project.config ? property(project.config, 'root') : undefined);
  const projectRoot =
    ownRoot === undefined || mainRoot === null
      ? mainRoot
      : ownRoot.value.kind === 'string'
        ? resolve(mainRoot, ownRoot.value.value)
        : ownRoot.value.kind === 'computed'
          ? fromConfigDir(ownRoot.value.text, dirname(resolve(root.file)))
          : null;
  const rootList = option(root, 'setupFiles');
  const rootEntry =
    rootList?.value.kind === 'array'
      ? rootList.value.items.find((i) => i.kind === 'string' && i.value.endsWith(VITEST_ADAPTER_FILE))
      : rootList?.value.kind === 'string' && rootList.value.value.endsWith(VITEST_ADAPTER_FILE)
        ? rootList.value
        : undefined;
  const inheritedWorks = rootEntry?.kind === 'string' && projectRoot !== null && existsSync(resolve(projectRoot, rootEntry.value));
  if (listsMonitor(option(project, 'setupFiles'), VITEST_ADAPTER_FILE) || inheritedWorks) return;
  const how = projectRoot === null ? null : registerIn(project, 'setupFiles', `${relativeDir(projectRoot, dir)}${VITEST_ADAPTER_FILE}`);
  const edits: Edit[] = [];
  let fixable = existsSync(dir) && how !== null;
  if (how && 'add' in how) {
    const added = addOptions(project, [how.add]);
    if (added) edits.push(...added);
    else fixable = false;
  } else if (how) edits.push(...how.edits);
  for (const [name, text] of [
    [NODE_MONITOR_FILE, NODE_MONITOR.text()],
    [VITEST_ADAPTER_FILE, VITEST_ADAPTER.text()],
  ] as const)
    if (root.read(join(dir, name)) === null && !existsSync(join(dir, name))) edits.push({ file: join(dir, name), start: 0, end: 0, text });
  const parts = 'memory monitor in `setupFiles`';
  ctx.report({
    messageId: 'missing',
    data: { subject: subject(project), parts },
    ...missingAt(project),
    fix: fixable ? { title: `Add ${parts}`, applicability: 'safe', edits } : null,
  });
}

export default defineRule<JsConfigTarget, 'missing' | 'threadsHeapFlag', Options>({
  meta: {
    id: 'require-memory-limit',
    runners: ['jest', 'vitest'],
    // A missing limit endangers nothing by itself (Node's own heap ceiling still applies): a warning, as for pytest.
    severity: { recommended: 'warning', strict: 'error' },
    fix: 'safe',
    description: 'Tests run under a memory limit that is enforced.',
    messages: {
      missing:
        '{{subject}} has no {{parts}}: a test that leaks grows its worker until the container is killed, with no name on the failure',
      threadsHeapFlag:
        'the `{{pool}}` pool runs tests in worker threads, which refuse `--max-old-space-size` in `execArgv`: Vitest starts no worker and runs no test{{instead}}',
    },
    options: {
      type: 'object',
      properties: {
        workerIdleMemoryLimit: {
          type: 'string',
          pattern: '^[0-9]+(\\.[0-9]+)?\\s*(B|K|KB|M|MB|G|GB)$',
          default: '1024MB',
          description: 'Jest: the `workerIdleMemoryLimit` the fix sets.',
        },
        monitorPath: {
          type: 'string',
          minLength: 1,
          description:
            "Jest, Vitest: an existing directory the fix writes the monitor modules to, relative to the package that declares the runner (default: that package's directory, so a monorepo whose root declares the runner gets one monitor for every config).",
        },
        nodeHeapMb: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 1_048_576,
          default: 4096,
          description:
            "Vitest: the workers' heap ceiling the fix sets (`--max-old-space-size` in `execArgv`, or `vmMemoryLimit` for vm pools), in MB.",
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { workerIdleMemoryLimit: '1024MB', nodeHeapMb: 4096 },
    docs: {
      what: "Warns on a Jest config without `workerIdleMemoryLimit` or without the memory monitor in `setupFilesAfterEnv`, and a Vitest 4 config without the heap limit its pool accepts or without the monitor in `setupFiles`. Per pool: `forks` (the default) takes `execArgv: ['--max-old-space-size=N']`; `vmForks` and `vmThreads` take `vmMemoryLimit`; `threads` takes neither (worker threads refuse the flag), so only the monitor is asked for. Errors on `--max-old-space-size` in `execArgv` under `threads` or `vmThreads`: Vitest then starts no worker and runs no test. Browser mode (`browser.enabled`) gets nothing: its tests run in a browser page, where no Node setup file or flag applies; bound the browser itself instead (for example Chromium's `--js-flags=--max-old-space-size=N` in the provider's launch options) and the CI job's memory. A config with `projects` runs no test itself: the monitor is asked of each Node project (its own `setupFiles`, or the root's when the project says `extends: true` and the root's path resolves from the project's own `root`), never of the root. Where an environment that runs the tests sets a heap (CI `NODE_OPTIONS`, a package.json script, `.npmrc` `node-options`), no heap ceiling is asked: a flag in `execArgv` would override it.",
      why: "Node workers keep what a leaking test allocates: module registries, mocks, big fixtures. Jest's `workerIdleMemoryLimit` recycles a worker that grew past it; a heap ceiling makes V8 stop one worker instead of the kernel stopping the whole container. The memory monitor (netra-memory-monitor.cjs, written by the fix) measures every test's peak RSS, fails the test that passes `NODE_TEST_MEMORY_LIMIT_MB`, and prints each file's heaviest tests.",
      example: {
        file: 'jest.config.js',
        bad: "module.exports = {\n  testEnvironment: 'node',\n};\n",
        good: "module.exports = {\n  testEnvironment: 'node',\n  workerIdleMemoryLimit: '1024MB',\n  setupFilesAfterEnv: ['<rootDir>/netra-memory-monitor.cjs'],\n};\n",
        beside: { 'netra-memory-monitor.cjs': '// the monitor module\n' },
      },
      fixSafety:
        "Safe: the fix writes the monitor module beside the config (netra-memory-monitor.cjs, and for Vitest its adapter netra-memory-monitor.mjs) unless a file of that name exists, registers it, and adds the missing limits in the file's own style. Removing `--max-old-space-size` from `execArgv` under a thread pool is safe: without it Vitest runs the tests at all. Tests under the limits run as before; the Vitest heap default of 4096 MB is what V8 gives a 64-bit process on a machine with 16 GB or more. The heap flag is never written where an environment sets its own heap (`execArgv` beats `NODE_OPTIONS`: a CI job's 8 GB would fall to 4 GB), and a project's setup file is written with a path from that project's own `root`, into that project only.",
    },
  },
  check(ctx, target) {
    const readable = readableOptions(target);
    if (!readable) return;
    const dir = ctx.options.monitorPath ? resolve(target.monitorHome, ctx.options.monitorPath) : target.monitorHome;
    const parts: string[] = [];
    const adds: [string, Literal][] = [];
    const edits: Edit[] = [];
    // The fix writes into an existing directory only (a `monitorPath` that is not there yet is the user's to create).
    let fixable = existsSync(dir);
    const created: Edit[] = [];
    const create = (name: string, text: string) => {
      if (target.read(join(dir, name)) === null && !existsSync(join(dir, name)))
        created.push({ file: join(dir, name), start: 0, end: 0, text });
    };
    const register = (key: string, entry: string, monitorFile: string) => {
      if (listsMonitor(option(target, key), monitorFile)) return;
      parts.push(`memory monitor in \`${key}\``);
      const how = registerIn(target, key, entry);
      if (!how) fixable = false;
      else if ('add' in how) adds.push(how.add);
      else edits.push(...how.edits);
    };

    if (target.runner === 'jest') {
      // Jest reads `workerIdleMemoryLimit` from the root config of a `projects` run, not from a project.
      if (!option(target, 'workerIdleMemoryLimit') && !readFromRoot(target, 'workerIdleMemoryLimit')) {
        parts.push('`workerIdleMemoryLimit`');
        adds.push(['workerIdleMemoryLimit', ctx.options.workerIdleMemoryLimit ?? '1024MB']);
      }
      // With `projects`, setup files are per project (the root's would load in none of them): inline
      // projects and the config files `projects` lists are checked on their own.
      if (!option(target, 'projects')) {
        const path = jestMonitorPath(target, dir);
        if (path === null) fixable = false;
        register('setupFilesAfterEnv', path ?? '', NODE_MONITOR_FILE);
      }
      if (parts.some((p) => p.startsWith('memory'))) create(NODE_MONITOR_FILE, NODE_MONITOR.text());
    } else {
      const heapMb = ctx.options.nodeHeapMb ?? 4096;
      // Browser mode runs the tests in a browser page: no Node setup file, heap flag or vm limit applies there.
      if (inBrowser(target)) return;
      const inheritedRoot = projectsRoot(target);
      const heapSetBy = target.environments?.().some((e) => e.heapMb !== null) ?? false;
      const pool = option(target, 'pool');
      const poolName = pool === undefined ? 'forks' : pool.value.kind === 'string' ? pool.value.value : null;
      const accepts = poolName === null ? null : (POOL_LIMITS[poolName] ?? null);
      const execArgv = option(target, 'execArgv');
      const heapFlags =
        execArgv?.value.kind === 'array'
          ? execArgv.value.items.flatMap((item, i) => (item.kind === 'string' && item.value.startsWith('--max-old-space-size') ? [i] : []))
          : [];
      if (accepts && !accepts.execArgv && heapFlags.length > 0 && execArgv?.value.kind === 'array') {
        // Worker threads refuse the flag: Vitest starts no worker and runs no test.
        const array = execArgv.value;
        const removable = array.file === target.file && !array.opaque && array.items.length === array.literal.elements.length;
        ctx.report({
          messageId: 'threadsHeapFlag',
          data: { pool: poolName!, instead: accepts.vmMemoryLimit ? ' (use `vmMemoryLimit`)' : '' },
          severity: 'error',
          start: array.items[heapFlags[0]!]!.start,
          end: array.items[heapFlags[0]!]!.end,
          fix: removable
            ? {
                title: 'Remove --max-old-space-size from execArgv',
                applicability: 'safe',
                edits: removeMembers(target.text, array.literal, new Set(heapFlags)),
              }
            : null,
        });
      }
      if (accepts?.vmMemoryLimit && !option(target, 'vmMemoryLimit')) {
        parts.push('`vmMemoryLimit`');
        adds.push(['vmMemoryLimit', `${heapMb}MB`]);
      } else if (
        accepts?.execArgv &&
        !accepts.vmMemoryLimit &&
        target.version >= 4 &&
        (inheritedRoot === null || inheritedRoot === 'some') &&
        !heapSetBy
      ) {
        // Vitest 4 passes `execArgv` to its workers; before 4 it lived in the (removed) `poolOptions`.
        // A heap an environment sets (CI `NODE_OPTIONS`, a script, .npmrc) is kept: a flag in `execArgv` would
        // beat it, and lower it where it is larger. The monitor alone is added then.
        if (heapFlags.length === 0 && (!execArgv || execArgv.value.kind === 'array')) {
          parts.push("heap ceiling (`execArgv: ['--max-old-space-size=N']`)");
          // A `poolOptions` left from Vitest 3 may hold the ceiling: known-options moves it first.
          if (option(target, 'poolOptions')) fixable = false;
          const how = registerIn(target, 'execArgv', `--max-old-space-size=${heapMb}`);
          if (!how) fixable = false;
          else if ('add' in how) adds.push(how.add);
          else edits.push(...how.edits);
        }
      }
      // Vitest resolves setup files from its root (`root: './src/client'`), not from the config's directory. A
      // config with `projects` runs no test itself: its setup files reach only the inline projects that say
      // `extends: true`, each resolving them from its own root. The monitor goes into each such Node project.
      if (inheritedRoot === null) {
        const root = vitestRoot(target);
        if (root === null) fixable = false;
        register('setupFiles', `${relativeDir(root ?? dirname(target.file), dir)}${VITEST_ADAPTER_FILE}`, VITEST_ADAPTER_FILE);
      } else if (inheritedRoot === 'some') {
        for (const project of inlineProjects(target, 'extending')) checkExtendingProject(ctx, target, project, dir);
      }
      if (parts.some((p) => p.startsWith('memory'))) {
        create(NODE_MONITOR_FILE, NODE_MONITOR.text());
        create(VITEST_ADAPTER_FILE, VITEST_ADAPTER.text());
      }
    }
    if (parts.length === 0) return;
    if (adds.length > 0) {
      const added = addOptions(target, adds);
      if (added) edits.push(...added);
      else fixable = false;
    }
    ctx.report({
      messageId: 'missing',
      data: { subject: subject(target), parts: parts.join(' and no ') },
      ...missingAt(target),
      fix: fixable ? { title: `Add ${parts.join(', ')}`, applicability: 'safe', edits: [...edits, ...created] } : null,
    });
  },
});
