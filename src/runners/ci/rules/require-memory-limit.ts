import { defineRule } from '../../../core/rule.js';
import { detectEol } from '../../../core/text.js';
import { addEntries } from '../../../formats/yaml-edit.js';
import pytestRule from '../../pytest/rules/require-memory-limit.js';
import { composeMb, monitorVariables, type Options } from '../../compose/rules/require-memory-limit.js';
import type { CiFile } from '../ci.js';

/** The CI side of `require-memory-limit`: a job that runs pytest without the monitor's limits in its env. */
export default defineRule<CiFile, 'noLimits', Options>({
  meta: {
    ...pytestRule.meta,
    messages: {
      noLimits: '`{{job}}` runs pytest without {{missing}} in its {{key}}: the memory monitor has no limit to enforce on this runner',
    },
    defaultOptions: { containerMemory: '512M', containerReservation: '256M' },
  },
  check(ctx, ci) {
    // The same numbers as a Compose service of the configured size.
    const variables = monitorVariables(composeMb(ctx.options.containerMemory ?? '512M') ?? 512);
    const eol = detectEol(ci.text);
    for (const job of ci.jobs) {
      if (job.runner !== 'pytest') continue;
      const wanted = variables.filter(([v]) => !job.names.has(v));
      if (wanted.length === 0) continue;
      const missing = wanted.map(([v]) => v);
      const edit = addEntries(ci.text, job.owner, job.existing, job.key, wanted, eol);
      ctx.report({
        messageId: 'noLimits',
        data: { job: job.name, missing: missing.join(' and '), key: job.key },
        file: ci.file,
        ...job.at,
        fix: edit ? { title: `Set ${missing.join(', ')} for ${job.name}`, applicability: 'safe', edits: [{ file: ci.file, start: edit.at, end: edit.at, text: edit.text }] } : null,
      });
    }
  },
});
