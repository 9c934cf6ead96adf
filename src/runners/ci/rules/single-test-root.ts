import { basename, dirname } from 'node:path';
import { defineRule, type ReportInput } from '../../../core/rule.js';
import type { Workspace } from '../../../core/workspace.js';
import { shellCommands } from '../../../formats/shell.js';
import pytestRule from '../../pytest/rules/single-test-root.js';
import type { ComposeFile } from '../../compose/compose.js';
import type { CiFile } from '../ci.js';
import { pytestRunOf } from '../command-line.js';
import { extraRoots } from '../roots.js';
import type { SiteCommand } from '../sites.js';

const meta = {
  ...pytestRule.meta,
  messages: {
    severalRoots:
      '{{where}} runs pytest on {{paths}}, but {{config}} collects one root (`{{root}}`): this job brings back the roots the config dropped',
    severalRootsForCoverage:
      '{{where}} runs pytest on {{paths}} in one process while measuring coverage, which combined coverage needs; {{config}} collects one root (`{{root}}`). If memory is tight, run each root on its own with `--cov-append` and report once',
  },
  defaultOptions: {},
};

/** Commands that run pytest on several roots where the governing config was narrowed to one. */
async function check(
  ws: Workspace,
  commands: readonly SiteCommand[],
  where: string,
  at: { start: number; end: number },
  file: string,
  report: (r: ReportInput<'severalRoots' | 'severalRootsForCoverage'>) => void,
) {
  for (const command of commands) {
    const run = pytestRunOf(command.words);
    // Inside a container the paths are the container's: not comparable with the files here.
    if (!run || run.container) continue;
    const found = await extraRoots(ws, run.args, command.cwd);
    if (!found) continue;
    // Several roots in one process is how a combined coverage report is made (py-shiny's `make coverage`):
    // deliberate, so a note with the memory-friendly alternative, not an error.
    const coverage =
      run.args.some((w) => /^--cov(=|$)/.test(w.value)) ||
      command.words.slice(0, command.words.indexOf(run.at)).some((w) => /^coverage(\.exe)?$/.test(basename(w.value)));
    report({
      messageId: coverage ? 'severalRootsForCoverage' : 'severalRoots',
      ...(coverage ? { severity: 'info' as const } : {}),
      data: { where, paths: found.paths.join(', '), config: basename(found.config.file), root: found.root },
      file,
      ...at,
      fix: null,
    });
  }
}

/** The Compose side of `single-test-root` (report only: which roots a job should run is the user's call). */
export const composeSingleTestRoot = defineRule<ComposeFile, 'severalRoots' | 'severalRootsForCoverage', Record<string, never>>({
  meta,
  async check(ctx, compose) {
    for (const s of compose.services) {
      if (s.runner !== 'pytest' || !s.commandAt) continue;
      // The service's command as the container runs it, from the Compose file's directory.
      const commands = shellCommands(s.command).map((c) => ({ words: c.words, cwd: dirname(compose.file) }));
      await check(compose.ws, commands, `service \`${s.name}\``, s.commandAt, compose.file, (input) => ctx.report(input));
    }
  },
});

/** The CI, tox, nox, Makefile and script sides: every command site of the file. */
export const ciSingleTestRoot = defineRule<CiFile, 'severalRoots' | 'severalRootsForCoverage', Record<string, never>>({
  meta,
  async check(ctx, target) {
    for (const site of target.sites)
      await check(target.ws, site.commands, `\`${site.name}\``, site.at, target.file, (input) => ctx.report(input));
  },
});

export default ciSingleTestRoot;
