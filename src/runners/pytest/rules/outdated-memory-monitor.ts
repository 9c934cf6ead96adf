import { defineRule } from '../../../core/rule.js';
import { detectEol, hasBom } from '../../../core/text.js';
import { existsSync } from 'node:fs';
import { compareVersions, inspectMonitorCopy, MONITOR_FILE, MONITOR_MODULE, MONITOR_VERSION, monitorText } from '../../../monitor/stamp.js';
import { monitorPath } from '../monitor-install.js';
import { isActive } from '../rule-kit.js';
import { parseAddopts, type PytestTarget } from '../target.js';

interface Options {
  /** Replace a copy that was edited, or not written by netra-migrate at all (offered as an unsafe fix). */
  overwriteEdited?: boolean;
}

export default defineRule<PytestTarget, 'outdated' | 'editedOutdated' | 'foreign' | 'absent', Options>({
  meta: {
    id: 'outdated-memory-monitor',
    runners: ['pytest'],
    severity: 'warning',
    fix: 'sometimes',
    description: 'The memory monitor module the config loads is in the repository, in the current version.',
    messages: {
      outdated: `${MONITOR_FILE} is version {{version}}; netra-migrate ships ${MONITOR_VERSION}`,
      editedOutdated: `${MONITOR_FILE} is version {{version}} (netra-migrate ships ${MONITOR_VERSION}) and was edited since it was written, so it is not updated; set the rule's option overwriteEdited to replace it`,
      absent: `\`-p ${MONITOR_MODULE}\` loads the memory monitor, but there is no ${MONITOR_FILE} next to the config: unless it is installed elsewhere, pytest stops with "Error importing plugin"`,
      foreign: `${MONITOR_FILE} was not written by netra-migrate: its options and limits may differ from the ones netra-migrate checks; set the rule's option overwriteEdited to replace it`,
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
      what: `Flags the \`${MONITOR_FILE}\` next to a pytest config when it is an older version than the one netra-migrate ships, or a module of that name netra-migrate did not write, and a config that loads the monitor (\`-p ${MONITOR_MODULE}\`) with no module next to it.`,
      why: 'The monitor is copied into the repository so that tests run without netra-migrate installed; copies do not update themselves. An old copy misses fixes (for example in cgroup detection) that the rest of netra-migrate assumes.',
      example: {
        file: MONITOR_FILE,
        bad: '# pytest_memory_plugin 0.9.0, the memory monitor written by netra-migrate. `netra-migrate fix` updates this copy\n# netra-migrate-sha256: …\n',
        good: `# pytest_memory_plugin ${MONITOR_VERSION}, the memory monitor written by netra-migrate. \`netra-migrate fix\` updates this copy\n# netra-migrate-sha256: …\n`,
        beside: { 'pytest.ini': '[pytest]\naddopts = -p pytest_memory_plugin\npythonpath = .\n' },
      },
      fixSafety:
        "Safe for an unedited copy (its checksum still matches): the new version replaces it whole, in the file's line endings. A copy that was edited, or not written by netra-migrate, is never replaced by default; with the option `overwriteEdited` the replacement is offered as an unsafe fix, because it discards those edits. Writing a missing module is unsafe: a module of that name installed elsewhere (site-packages) would be shadowed by the new copy.",
    },
  },
  check(ctx, target) {
    if (!isActive(target)) return;
    const file = monitorPath(target);
    const text = target.read(file);
    if (text === null) {
      const token = parseAddopts(target.config)?.tokens.find((t) => t.flag === '-p' && t.value === MONITOR_MODULE);
      if (!token || existsSync(file)) return;
      ctx.report({
        messageId: 'absent',
        start: token.item.start,
        end: token.item.end,
        fix: {
          title: `Write ${MONITOR_FILE} (version ${MONITOR_VERSION})`,
          applicability: 'unsafe',
          edits: [{ file, start: 0, end: 0, text: monitorText() }],
        },
      });
      return;
    }
    const copy = inspectMonitorCopy(text);
    const headerEnd = Math.max(0, text.search(/\r?\n|$/));
    const at = { file, start: hasBom(text) ? 1 : 0, end: headerEnd };
    const eol = detectEol(text);
    const replacement = (hasBom(text) ? '\uFEFF' : '') + (eol === '\n' ? monitorText() : monitorText().replace(/\n/g, eol));
    const replace = (applicability: 'safe' | 'unsafe') => ({
      title: `Replace ${MONITOR_FILE} with version ${MONITOR_VERSION}`,
      applicability,
      edits: [{ file, start: 0, end: text.length, text: replacement }],
    });
    if (copy.version === null) {
      ctx.report({ messageId: 'foreign', ...at, fix: ctx.options.overwriteEdited ? replace('unsafe') : null });
      return;
    }
    if (compareVersions(copy.version, MONITOR_VERSION) >= 0) return;
    if (copy.edited) {
      ctx.report({
        messageId: 'editedOutdated',
        data: { version: copy.version },
        ...at,
        fix: ctx.options.overwriteEdited ? replace('unsafe') : null,
      });
      return;
    }
    ctx.report({ messageId: 'outdated', data: { version: copy.version }, ...at, fix: replace('safe') });
  },
});
