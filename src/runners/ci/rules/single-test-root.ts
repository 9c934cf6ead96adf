import { basename, dirname } from 'node:path';
import { defineRule, type ReportInput } from '../../../core/rule.js';
import pytestRule from '../../pytest/rules/single-test-root.js';
import type { ComposeFile } from '../../compose/compose.js';
import type { CiFile } from '../ci.js';
import { governingTestpaths, pytestInvocations } from '../command-roots.js';

const meta = {
  ...pytestRule.meta,
  messages: {
    severalRoots: '{{where}} runs pytest on {{paths}}, but {{config}} collects one root (`{{root}}`): this job brings back the roots the config dropped',
  },
  defaultOptions: {},
};

/** Command lines that pass several roots to pytest where the governing config was narrowed to one. */
function check(command: string, dir: string, where: string, at: { start: number; end: number }, file: string, report: (r: ReportInput<'severalRoots'>) => void) {
  for (const run of pytestInvocations(command)) {
    if (run.ownConfig || run.paths.length < 2) continue;
    const config = governingTestpaths(dir);
    if (!config || config.testpaths.length !== 1) continue;
    report({ messageId: 'severalRoots', data: { where, paths: run.paths.join(', '), config: basename(config.file), root: config.testpaths[0]! }, file, ...at, fix: null });
  }
}

/** The Compose and CI sides of `single-test-root` (report only: which roots a job should run is the user's call). */
export const composeSingleTestRoot = defineRule<ComposeFile, 'severalRoots', Record<string, never>>({
  meta,
  check(ctx, compose) {
    for (const s of compose.services) {
      if (s.runner === 'pytest' && s.commandAt) check(s.command, dirname(compose.file), `service \`${s.name}\``, s.commandAt, compose.file, ctx.report);
    }
  },
});

export const ciSingleTestRoot = defineRule<CiFile, 'severalRoots', Record<string, never>>({
  meta,
  check(ctx, ci) {
    // A workflow runs from the repository root: the directory holding .github (or .gitlab-ci.yml).
    const root = ci.kind === 'github' ? dirname(dirname(dirname(ci.file))) : dirname(ci.file);
    for (const job of ci.jobs) if (job.runner === 'pytest') check(job.command, root, `\`${job.name}\``, job.at, ci.file, ctx.report);
  },
});
