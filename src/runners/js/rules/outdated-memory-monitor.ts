import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { defineRule } from '../../../core/rule.js';
import { detectEol, hasBom } from '../../../core/text.js';
import { compareVersions, NODE_MONITOR, VITEST_ADAPTER, type ShippedModule } from '../../../monitor/stamp.js';
import type { JsConfigTarget } from '../config.js';
import { option } from '../rule-kit.js';

interface Options {
  overwriteEdited?: boolean;
}

/** The monitor modules a config registers (by their file name in its setup-file list), with where it registers them. */
function registered(target: JsConfigTarget): { module: ShippedModule; at: { start: number; end: number }; dir: string }[] {
  const key = target.runner === 'jest' ? 'setupFilesAfterEnv' : 'setupFiles';
  const entry = target.runner === 'jest' ? NODE_MONITOR : VITEST_ADAPTER;
  const list = option(target, key);
  if (!list || list.value.kind !== 'array' || list.file !== target.file) return [];
  const item = list.value.items.find((i) => i.kind === 'string' && i.value.endsWith(entry.file));
  if (!item) return [];
  const at = { start: item.start, end: item.end };
  // The directory the entry names (the monitor may sit in the package or repository root, not beside the config).
  const configDir = dirname(target.file);
  const rootDirProp = option(target, 'rootDir');
  const rootDir = rootDirProp?.value.kind === 'string' ? resolve(configDir, rootDirProp.value.value) : configDir;
  const path = (item as { value: string }).value;
  const dir = dirname(path.startsWith('<rootDir>') ? join(rootDir, path.slice('<rootDir>'.length)) : resolve(configDir, path));
  return entry === VITEST_ADAPTER
    ? [
        { module: VITEST_ADAPTER, at, dir },
        { module: NODE_MONITOR, at, dir },
      ]
    : [{ module: NODE_MONITOR, at, dir }];
}

export default defineRule<JsConfigTarget, 'outdated' | 'editedOutdated' | 'foreign' | 'absent', Options>({
  meta: {
    id: 'outdated-memory-monitor',
    runners: ['jest', 'vitest'],
    severity: 'warning',
    fix: 'sometimes',
    description: 'The memory monitor module the config loads is in the repository, in the current version.',
    messages: {
      outdated: `{{file}} is version {{version}}; netra-migrate ships ${NODE_MONITOR.version}`,
      editedOutdated: `{{file}} is version {{version}} (netra-migrate ships ${NODE_MONITOR.version}) and was edited since it was written, so it is not updated; set the rule's option overwriteEdited to replace it`,
      absent:
        '{{key}} loads the memory monitor, but there is no {{file}} where it points: the runner stops before the first test ("not found")',
      foreign:
        "{{file}} was not written by netra-migrate: its options and limits may differ from the ones netra-migrate checks; set the rule's option overwriteEdited to replace it",
    },
    options: {
      type: 'object',
      properties: {
        overwriteEdited: { type: 'boolean', default: false, description: 'Offer to replace an edited or foreign copy (an unsafe fix).' },
      },
      additionalProperties: false,
    },
    defaultOptions: { overwriteEdited: false },
    docs: {
      what: 'Flags the Node memory monitor (`netra-memory-monitor.cjs`, and for Vitest its adapter `netra-memory-monitor.mjs`) next to a Jest or Vitest config that registers it, when it is older than the one netra-migrate ships, edited, not written by netra-migrate, or missing.',
      why: 'The monitor is copied into the repository so tests run without netra-migrate installed, and copies do not update themselves; a registered setup file that is missing stops the runner before any test.',
      example: {
        file: 'netra-memory-monitor.cjs',
        bad: '// netra-memory-monitor 0.9.0, the Node memory monitor written by netra-migrate. `netra-migrate fix` updates this copy\n// netra-migrate-sha256: …\n',
        good: `// netra-memory-monitor ${NODE_MONITOR.version}, the Node memory monitor written by netra-migrate. \`netra-migrate fix\` updates this copy\n// netra-migrate-sha256: …\n`,
        beside: { 'jest.config.js': "module.exports = {\n  setupFilesAfterEnv: ['<rootDir>/netra-memory-monitor.cjs'],\n};\n" },
      },
      fixSafety:
        "Safe for an unedited copy (its checksum still matches): the new version replaces it whole, in the file's line endings. An edited or foreign copy is replaced only with the option `overwriteEdited`, as an unsafe fix (it discards those edits). Writing a missing module is unsafe: the config may mean a file that is generated or copied in at run time.",
    },
  },
  check(ctx, target) {
    if (target.kind === 'project') return;
    const key = target.runner === 'jest' ? '`setupFilesAfterEnv`' : '`setupFiles`';
    for (const { module, at, dir } of registered(target)) {
      const file = join(dir, module.file);
      // Through the workspace first: a fix earlier in this run may have written it already.
      const text = target.read(file);
      if (text === null && !existsSync(file)) {
        ctx.report({
          messageId: 'absent',
          data: { key, file: module.file },
          ...at,
          fix: {
            title: `Write ${module.file} (version ${module.version})`,
            applicability: 'unsafe',
            edits: [{ file, start: 0, end: 0, text: module.text() }],
          },
        });
        continue;
      }
      if (text === null) continue;
      const copy = module.inspect(text);
      const header = { file, start: hasBom(text) ? 1 : 0, end: Math.max(0, text.search(/\r?\n|$/)) };
      const eol = detectEol(text);
      const replace = (applicability: 'safe' | 'unsafe') => ({
        title: `Replace ${module.file} with version ${module.version}`,
        applicability,
        edits: [{ file, start: 0, end: text.length, text: (hasBom(text) ? '\uFEFF' : '') + module.text().replace(/\n/g, eol) }],
      });
      if (copy.version === null)
        ctx.report({
          messageId: 'foreign',
          data: { file: module.file },
          ...header,
          fix: ctx.options.overwriteEdited ? replace('unsafe') : null,
        });
      else if (compareVersions(copy.version, module.version) < 0) {
        if (copy.edited)
          ctx.report({
            messageId: 'editedOutdated',
            data: { file: module.file, version: copy.version },
            ...header,
            fix: ctx.options.overwriteEdited ? replace('unsafe') : null,
          });
        else ctx.report({ messageId: 'outdated', data: { file: module.file, version: copy.version }, ...header, fix: replace('safe') });
      }
    }
  },
});
