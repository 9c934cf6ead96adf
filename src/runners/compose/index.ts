/** Containers: finds Compose files under the inputs and runs their rules (CI files have their own analyzer, runners/ci). */
import { basename } from 'node:path';
import type { FileProblem } from '../../core/diagnostic.js';
import type { Analyzer, AnalyzerOutput } from '../../core/engine.js';
import type { Rule } from '../../core/rule.js';
import { loadFile, loadProblem, type Workspace } from '../../core/workspace.js';
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
      const target = await loadFile(ws, file, problems, (text) => {
        kinds.set(file, 'file');
        return loadCompose(ws, file, text);
      });
      if (target) targets.push(target);
    }
    const runs = targets.flatMap((target) => composeRules().map((rule) => ({ rule, target })));
    return { runs, problems, files: targets.map((t) => t.file), kinds };
  },
  verify: (ws, file) => (isCompose(file) ? loadProblem(ws, file, (text) => loadCompose(ws, file, text)) : null),
};
