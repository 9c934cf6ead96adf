/** Containers: finds Compose files under the inputs and runs their rules (CI files have their own analyzer, runners/ci). */
import { basename } from 'node:path';
import { FileProblemError, type FileProblem } from '../../core/diagnostic.js';
import type { Analyzer, AnalyzerOutput } from '../../core/engine.js';
import type { Rule } from '../../core/rule.js';
import type { Workspace } from '../../core/workspace.js';
import { rulesIn } from '../../rules.js';
import { COMPOSE_NAME, loadCompose, type ComposeFile } from './compose.js';

/** Called when a run starts, not at load (rule modules import the runner models). */
const composeRules = (): readonly Rule<ComposeFile, string, any>[] => rulesIn('compose');

const isCompose = (file: string) => COMPOSE_NAME.test(basename(file));

function composeFiles(ws: Workspace, inputs: readonly string[]): string[] {
  return ws.filesMatching(inputs, isCompose);
}

export const composeAnalyzer: Analyzer = {
  name: 'compose',
  get rules() {
    return composeRules();
  },
  filePatterns: [String.raw`(docker-)?compose[^/]*\.ya?ml`],
  async analyze(ws, inputs, ignored): Promise<AnalyzerOutput> {
    const problems: FileProblem[] = [];
    const targets: ComposeFile[] = [];
    const kinds = new Map<string, string>();
    for (const file of composeFiles(ws, inputs)) {
      if (ignored?.(file)) continue;
      const text = ws.text(file);
      if (text === null) {
        const p = ws.problem(file);
        if (p) problems.push(p);
        continue;
      }
      kinds.set(file, 'file');
      try {
        targets.push(await loadCompose(ws, file, text));
      } catch (e) {
        if (e instanceof FileProblemError) problems.push(e.problem);
        else throw e;
      }
    }
    const runs = targets.flatMap((target) => composeRules().map((rule) => ({ rule, target })));
    return { runs, problems, files: targets.map((t) => t.file), kinds };
  },
  async verify(ws, file) {
    if (!isCompose(file)) return null;
    const text = ws.text(file);
    if (text === null) return null;
    try {
      await loadCompose(ws, file, text);
      return null;
    } catch (e) {
      if (e instanceof FileProblemError) return e.problem;
      throw e;
    }
  },
};
