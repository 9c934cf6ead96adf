import { defineRule } from '../../../core/rule.js';
import { detectEol } from '../../../core/text.js';
import { addEntries } from '../../../formats/yaml-edit.js';
import pytestRule from '../../pytest/rules/require-memory-limit.js';
import { composeMb, type Options } from '../../compose/rules/require-memory-limit.js';
import type { CiFile } from '../ci.js';

const VARIABLES = ['PYTEST_MEMORY_LIMIT_MB', 'PYTEST_COLLECTION_LIMIT_MB'] as const;

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
    const mb = composeMb(ctx.options.containerMemory ?? '512M') ?? 512;
    // The same numbers as a Compose service of the configured size: one place decides them.
    const values: Record<string, string> = { PYTEST_MEMORY_LIMIT_MB: String(Math.floor(mb * 0.8)), PYTEST_COLLECTION_LIMIT_MB: String(Math.floor(mb * 0.4)) };
    const eol = detectEol(ci.text);
    for (const job of ci.jobs) {
      if (job.runner !== 'pytest') continue;
      const missing = VARIABLES.filter((v) => !job.names.has(v));
      if (missing.length === 0) continue;
      const edit = addEntries(ci.text, job.owner, job.existing, job.key, missing.map((v) => [v, values[v]!] as const), eol);
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
