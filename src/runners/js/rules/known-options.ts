import type { Edit } from '../../../core/diagnostic.js';
import { defineRule } from '../../../core/rule.js';
import { closestName } from '../../../core/text.js';
import { property, type JsObject, type JsProperty } from '../../../formats/js.js';
import { indentAt, removeMember, renderProperty, type Literal } from '../../../formats/js-edit.js';
import { JS_OPTIONS } from '../../../generated/js-options.js';
import type { JsConfigTarget } from '../config.js';
import type { JsRunnerOptions, RemovedOption } from '../options-types.js';
import { readFromRoot, runnerTitle } from '../rule-kit.js';

interface Options {
  knownKeys?: string[];
}

/** The option lists of each major with a generated schema (Jest 29, 30; Vitest 3, 4, 5); nested options where generated. */
type MajorSchema = {
  keys: Set<string>;
  removed: Record<string, RemovedOption>;
  nested: JsRunnerOptions['nested'];
  nestedRemoved: JsRunnerOptions['nestedRemoved'];
};
const SCHEMAS = Object.fromEntries(
  Object.entries(JS_OPTIONS).map(([runner, majors]) => [
    runner,
    Object.fromEntries(
      Object.entries(majors).map(([major, o]) => [
        major,
        { keys: new Set(o.keys), removed: o.removed, nested: o.nested, nestedRemoved: o.nestedRemoved },
      ]),
    ),
  ]),
) as Record<'jest' | 'vitest', Record<number, MajorSchema | undefined>>;

/** Vitest 4's `poolOptions.<pool>.<key>` moves: the top-level key it became (null: removed, nothing to move). */
const POOL_OPTION_MOVES: Record<string, string | null> = {
  execArgv: 'execArgv',
  isolate: 'isolate',
  maxThreads: 'maxWorkers',
  maxForks: 'maxWorkers',
  memoryLimit: 'vmMemoryLimit',
  minThreads: null,
  minForks: null,
};

type MessageId = 'computed' | 'opaque' | 'preset' | 'rootOnly' | 'unknown' | 'unknownSuggest' | 'removed' | 'workspaceFile';

const rule = defineRule<JsConfigTarget, MessageId, Options>({
  meta: {
    id: 'known-options',
    runners: ['jest', 'vitest'],
    severity: 'error',
    fix: 'sometimes',
    description: 'Config keys are ones the runner knows.',
    messages: {
      computed:
        'the {{runner}} config is computed at run time (`{{code}}`), so netra-migrate cannot check it without running it; its options are not checked',
      rootOnly: '`{{key}}` in a project is not read: Jest takes it from the root config of the `projects` run; set it there',
      preset:
        'preset `{{name}}` is neither a file here, nor installed, nor one netra-migrate knows: the options it sets are unknown, so require-timeout and require-memory-limit skip this config',
      opaque:
        'options spread from a value computed at run time (`{{code}}`) may set any key, so require-timeout and require-memory-limit skip this config; the keys written here are checked',
      unknown: '`{{key}}` is not a {{runner}} {{version}} option: {{runner}} ignores it',
      unknownSuggest: '`{{key}}` is not a {{runner}} {{version}} option: {{runner}} ignores it; did you mean `{{suggestion}}`?',
      removed: '`{{key}}` was {{message}}',
      workspaceFile:
        'Vitest 4 ignores {{name}} (workspace files were removed): a Vitest run started here does not read the project list in it; to keep those projects in one run, list them in `test.projects` of the Vitest config',
    },
    options: {
      type: 'object',
      properties: {
        knownKeys: {
          type: 'array',
          items: { type: 'string' },
          description: 'Config keys of other plugins to accept (pytest); Jest and Vitest options to accept.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: {},
    docs: {
      what: "Checks Jest configs against Jest's own JSON Schema of its options (schemas/jest-config.schema.json, generated from @jest/schemas) and Vitest `test` blocks against Vitest's `InlineConfig` (schemas/vitest-config.schema.json, generated from its type declarations): unknown keys (with a suggestion when one is close), removed keys (Jest's deprecation table; Vitest 4's `poolOptions`, `workspace`, `maxThreads`, `minWorkers`, ...), the keys inside object-valued options (`coverage`, `browser`, `sequence`, `fakeTimers`, ... as Vitest's types give them; `coverage.all` and `coverage.extension`, removed in Vitest 4), and the legacy vitest.workspace file. The major is the one the workspace's lock file records (package-lock.json, pnpm-lock.yaml, yarn.lock, bun.lock), else the one the nearest package.json's range names; there are schemas for Jest 29 and 30 and Vitest 3, 4 and 5 (schemas/*-config.schema.json, generated from the real packages; nested options for the installed majors), and on another major whether an option exists is not judged. A config computed at run time gets one `info` finding that it cannot be checked.",
      why: 'Both runners ignore what they do not know, with at most a warning scrolled away: a misspelt `testTimout` or a `poolOptions.forks.execArgv` after the Vitest 4 upgrade is a limit that silently does not apply. The memory and time limits this tool sets only work if the runner reads them.',
      example: {
        file: 'vitest.config.ts',
        bad: "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    poolOptions: {\n      forks: { execArgv: ['--max-old-space-size=4096'] },\n    },\n  },\n});\n",
        good: "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({\n  test: {\n    execArgv: ['--max-old-space-size=4096'],\n  },\n});\n",
      },
      fixSafety:
        "Safe where the move is mechanical and keeps the option's meaning: a rename (`workspace` to `projects`, `testPathDirs` to `roots`), a value wrapped in a list (`setupTestFrameworkScriptFile`), `testURL` into `testEnvironmentOptions.url`, Vitest 4's `poolOptions` of the pool in use lifted to the top of the `test` block (options of pools not in use are dropped: they never applied), and keys Vitest 4 dropped (`minWorkers`). The moved option now takes effect, as it did on the version it was written for. Unknown keys get no fix.",
    },
  },
  check(ctx, target) {
    const runner = runnerTitle(target);
    if (target.kind === 'workspace') {
      if (target.version >= 4)
        ctx.report({ messageId: 'workspaceFile', data: { name: target.file.split(/[\\/]/).pop()! }, start: 0, end: 0 });
      return;
    }
    if (target.computed && target.computed.file === target.file) {
      const code = target.text.slice(target.computed.start, target.computed.end).split('\n')[0]!;
      ctx.report({
        messageId: 'computed',
        data: { runner, code: code.length > 60 ? code.slice(0, 57) + '...' : code },
        severity: 'info',
        start: target.computed.start,
        end: target.computed.end,
      });
    }
    const options = target.options;
    if (!options) return;
    const preset = target.runner === 'jest' ? property(options, 'preset') : undefined;
    if (
      preset &&
      options.opaque &&
      options.opaque.start === preset.start &&
      options.opaque.end === preset.end &&
      options.opaque.file === preset.file
    ) {
      const name = preset.value.kind === 'string' ? preset.value.value : target.text.slice(preset.value.start, preset.value.end);
      ctx.report({ messageId: 'preset', data: { name }, severity: 'info', start: preset.start, end: preset.end });
    } else if (options.opaque && options.opaque.file === target.file) {
      ctx.report({
        messageId: 'opaque',
        data: { code: target.text.slice(options.opaque.start, options.opaque.end).split('\n')[0]! },
        severity: 'info',
        start: options.opaque.start,
        end: options.opaque.end,
      });
    }
    // On a major without a generated schema, whether an option exists is not judged.
    const schema = SCHEMAS[target.runner][target.version];
    if (!schema) return;
    const accepted = new Set(ctx.options.knownKeys ?? []);
    for (const prop of options.properties) {
      if (prop.file === target.file && schema.keys.has(prop.key)) checkNested(ctx, target, schema, prop, accepted);
      // An inline Jest project's root-only option: Jest takes the root config's (and warns for most of them).
      if (target.kind === 'project' && prop.file === target.file && readFromRoot(target, prop.key)) {
        ctx.report({
          messageId: 'rootOnly',
          data: { key: prop.key },
          severity: 'warning',
          start: prop.keySpan.start,
          end: prop.keySpan.end,
        });
      }
      if (prop.file !== target.file || schema.keys.has(prop.key) || accepted.has(prop.key)) continue;
      const removed = schema.removed[prop.key];
      const version = `${target.version}`;
      if (removed) {
        const fix = prop.key === 'poolOptions' ? poolOptionsFix(target, options, prop) : removedFix(target, options, prop, removed);
        ctx.report({
          messageId: 'removed',
          data: { key: prop.key, message: removed.message },
          start: prop.keySpan.start,
          end: prop.keySpan.end,
          fix: fix ? { title: `Move ${prop.key}`, applicability: 'safe', edits: fix } : null,
        });
        continue;
      }
      const suggestion = closestName(prop.key, schema.keys);
      const rename =
        suggestion && !property(options, suggestion)
          ? replaceProperty(target, options, prop, [[suggestion, sourceOf(target, prop)]])
          : null;
      ctx.report({
        messageId: suggestion ? 'unknownSuggest' : 'unknown',
        data: { key: prop.key, runner, version, suggestion: suggestion ?? '' },
        severity: 'warning',
        start: prop.keySpan.start,
        end: prop.keySpan.end,
        // Unsafe: the option starts to apply, and the guess may be wrong.
        fix: rename ? { title: `Rename ${prop.key} to ${suggestion}`, applicability: 'unsafe', edits: rename } : null,
      });
    }
  },
});

export default rule;

/**
 * The keys inside an object-valued option written here (`coverage: { all: true }`), against the keys the
 * runner's types give it: removed ones (`coverage.all`) and unknown ones, as warnings; no fix (a nested
 * option's replacement is rarely mechanical).
 */
function checkNested(
  ctx: Parameters<(typeof rule)['check']>[0],
  target: JsConfigTarget,
  schema: MajorSchema,
  prop: JsProperty,
  accepted: ReadonlySet<string>,
) {
  const known = schema.nested[prop.key];
  if (!known || prop.value.kind !== 'object' || prop.value.file !== target.file) return;
  for (const sub of prop.value.properties) {
    const path = `${prop.key}.${sub.key}`;
    if (sub.file !== target.file || known.includes(sub.key) || accepted.has(path)) continue;
    const removed = schema.nestedRemoved[path];
    if (removed) {
      ctx.report({ messageId: 'removed', data: { key: path, message: removed.message }, start: sub.keySpan.start, end: sub.keySpan.end });
      continue;
    }
    const suggestion = closestName(sub.key, known);
    ctx.report({
      messageId: suggestion ? 'unknownSuggest' : 'unknown',
      data: { key: path, runner: runnerTitle(target), version: `${target.version}`, suggestion: suggestion ?? '' },
      severity: 'warning',
      start: sub.keySpan.start,
      end: sub.keySpan.end,
    });
  }
}

const memberIndex = (object: JsObject, prop: JsProperty) =>
  object.literal.members.findIndex((m) => m.start === prop.start && m.end === prop.end);
const sourceOf = (target: JsConfigTarget, prop: JsProperty): Literal => ({ code: target.text.slice(prop.value.start, prop.value.end) });

/** Replace one property with others (its value moved as written), in place, one per line like its siblings. */
function replaceProperty(
  target: JsConfigTarget,
  object: JsObject,
  prop: JsProperty,
  entries: readonly (readonly [string, Literal])[],
): Edit[] | null {
  const index = memberIndex(object, prop);
  if (index < 0) return null;
  if (entries.length === 0) return [removeMember(target.text, target.file, object.literal.members, index)];
  if (entries.some(([k]) => k !== prop.key && property(object, k))) return null;
  const indent = indentAt(target.text, prop.start);
  const text = entries.map(([k, v]) => renderProperty(k, v, target.style, indent)).join(`,${target.style.eol}${indent}`);
  return [{ file: target.file, start: prop.start, end: prop.end, text }];
}

function removedFix(target: JsConfigTarget, object: JsObject, prop: JsProperty, removed: RemovedOption): Edit[] | null {
  const value = sourceOf(target, prop);
  if (removed.drop) return replaceProperty(target, object, prop, []);
  if (removed.rename) return replaceProperty(target, object, prop, [[removed.rename, value]]);
  if (removed.wrap) return replaceProperty(target, object, prop, [[removed.wrap, [value]]]);
  if (removed.nest) return replaceProperty(target, object, prop, [[removed.nest[0], { [removed.nest[1]]: value }]]);
  return null;
}

/** Vitest 4: lift the options of the pool in use out of `poolOptions`; the other pools' options never applied. */
function poolOptionsFix(target: JsConfigTarget, object: JsObject, prop: JsProperty): Edit[] | null {
  if (prop.value.kind !== 'object' || prop.value.opaque) return null;
  const pool = property(object, 'pool');
  if (pool && pool.value.kind !== 'string') return null;
  const active = pool?.value.kind === 'string' ? pool.value.value : 'forks';
  const entries: [string, Literal][] = [];
  for (const sub of prop.value.properties) {
    if (sub.key !== active) continue;
    if (sub.value.kind !== 'object' || sub.value.opaque) return null;
    for (const option of sub.value.properties) {
      if (option.key === 'singleThread' || option.key === 'singleFork') {
        if (option.value.kind !== 'boolean') return null;
        if (option.value.value) entries.push(['maxWorkers', 1], ['isolate', false]);
        continue;
      }
      if (!(option.key in POOL_OPTION_MOVES)) return null;
      const to = POOL_OPTION_MOVES[option.key];
      if (to) entries.push([to, sourceOf(target, option)]);
    }
  }
  if (new Set(entries.map(([k]) => k)).size !== entries.length) return null;
  return replaceProperty(target, object, prop, entries);
}
