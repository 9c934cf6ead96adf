/**
 * The analyzer of places that launch pytest outside its config: GitHub workflows, GitLab CI, tox, nox,
 * Makefiles and scripts under `scripts/`. It finds them under the inputs by the patterns in INVOCATION_FILES.
 */
import { FileProblemError, type FileProblem } from '../../core/diagnostic.js';
import type { Analyzer, AnalyzerOutput } from '../../core/engine.js';
import type { Rule } from '../../core/rule.js';
import type { Workspace } from '../../core/workspace.js';
import { ciKind, INVOCATION_FILES, invocationKind, loadInvocations, type CiFile, type InvocationKind } from './ci.js';
import { rulesIn } from '../../rules.js';

/** Called when a run starts, not at load (rule modules import the runner models). */
const ciRules = (): readonly Rule<CiFile, string, any>[] => rulesIn('ci');

/** pyproject.toml and Makefiles are read only when they may hold what this analyzer looks for. */
function mayMatter(file: string, text: string): boolean {
  const kind = invocationKind(file);
  if (kind === 'pyproject-tox') return /^\s*\[tool\.tox\b|^\s*legacy_tox_ini\s*=/m.test(text) || /^\s*\[tool\][^[]*\btox\b/m.test(text);
  return /py\.?test/.test(text);
}

/** What each kind of file is, in the words `--show-files` prints. */
const INVOCATION_KIND_NAMES: Record<InvocationKind, string> = {
  github: 'workflow',
  gitlab: 'GitLab CI pipeline',
  tox: 'tox config (commands that run pytest)',
  'pyproject-tox': 'tox config in pyproject.toml (commands that run pytest)',
  nox: 'noxfile (sessions that run pytest)',
  make: 'Makefile (recipes that run pytest)',
  script: 'script (commands that run pytest)',
};

function invocationFiles(ws: Workspace, inputs: readonly string[]): string[] {
  return ws.filesMatching(inputs, (f) => invocationKind(f) !== null);
}

export const ciAnalyzer: Analyzer = {
  name: 'ci',
  get rules() {
    return ciRules();
  },
  filePatterns: INVOCATION_FILES.map((f) => f.pattern),
  async analyze(ws, inputs, ignored): Promise<AnalyzerOutput> {
    const problems: FileProblem[] = [];
    const targets: CiFile[] = [];
    const kinds = new Map<string, string>();
    for (const file of invocationFiles(ws, inputs)) {
      if (ignored?.(file)) continue;
      const text = ws.text(file);
      if (text === null) {
        // pyproject.toml and tox.ini are the pytest analyzer's to report when unreadable.
        const p = ciKind(file) ? ws.problem(file) : undefined;
        if (p) problems.push(p);
        continue;
      }
      if (!ciKind(file) && !mayMatter(file, text)) continue;
      kinds.set(file, INVOCATION_KIND_NAMES[invocationKind(file)!]);
      try {
        const target = await loadInvocations(ws, file, text);
        if (target.sites.length > 0) targets.push(target);
      } catch (e) {
        if (e instanceof FileProblemError) problems.push(e.problem);
        else throw e;
      }
    }
    return {
      runs: targets.flatMap((target) => ciRules().map((rule) => ({ rule, target }))),
      problems,
      files: targets.map((t) => t.file),
      kinds,
    };
  },
  async verify(ws, file) {
    // Fixes edit CI YAML only; tox, nox, Makefiles and scripts are reported, never written.
    if (!ciKind(file)) return null;
    const text = ws.text(file);
    if (text === null) return null;
    try {
      await loadInvocations(ws, file, text);
      return null;
    } catch (e) {
      if (e instanceof FileProblemError) return e.problem;
      throw e;
    }
  },
};
