/**
 * What the server keeps between requests: the workspace folders with their settings, the findings published
 * per file, and one queue of runs. Every run is `check` (or `fix` without writing) of the library, on the
 * open buffers laid over the disk (Workspace's `buffers`): the same engine and rules as the CLI.
 */
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { check, fix } from '../index.js';
import { readTextFile } from '../core/fs.js';
import { settingsErrors, type RuleSettings } from '../core/settings.js';
import { presetNamed, TOOL_CONFIG_FILES } from '../core/tool-config.js';
import { PRESETS, type PresetName } from '../core/rule.js';
import type { CheckResult, FixResult, RunOptions } from '../core/engine.js';
import { allRules } from '../rules.js';
import { Positions, problemDiagnostic, toLspDiagnostic, type TextSource } from './convert.js';

/** `netra-migrate.*` settings from `workspace/configuration` (VS Code's settings, Neovim's `settings`). */
export interface ServerSettings {
  /** A preset of rule severities (`recommended`, `strict`); the tool config's `preset` wins over it. */
  preset?: PresetName;
  /** Rule settings as in the tool config's `rules`; the tool config file wins over them. */
  rules?: RuleSettings;
  /** The interpreter of the test environment (`--python`), relative to the workspace folder. */
  python?: string;
}

export interface OpenBuffer {
  text: string;
  version: number;
}

/** Is `path` the directory `scope` or inside it (or the file `scope` itself)? */
export function isWithin(path: string, scope: string): boolean {
  const rel = relative(scope, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

const FILE_SCOPED = /(\.py|\.ya?ml|\.sh|(^|\/)Makefile|\.(test|spec)\.[cm]?[jt]sx?)$/;

/**
 * What a change to `path` can change, so a run re-checks that much: a test module, workflow or script its own
 * findings (judged against the configs that govern it); a conftest the tests it governs (its directory); a
 * runner config, package.json or dependency list the files under it (a `requirements/` folder's, those of its
 * parent); a tool config every file. `null` means the whole folder.
 */
export function scopeOf(path: string): string | null {
  const name = basename(path);
  if ((TOOL_CONFIG_FILES as readonly string[]).includes(name) && name.startsWith('.')) return null;
  if (name === 'conftest.py' || name === 'setup.py') return dirname(path);
  if (FILE_SCOPED.test(path)) return path;
  const dir = dirname(path);
  return basename(dir) === 'requirements' ? dirname(dir) : dir;
}

/** Text of a file on disk as the engine reads it (null when it cannot be read). */
function diskText(path: string): string | null {
  try {
    return readTextFile(path).text;
  } catch {
    return null;
  }
}

export interface RunOutcome {
  /** Diagnostics per file the run is authoritative for. */
  byFile: Map<string, LspDiagnostic[]>;
  /** The scope the run covered (null: the whole folder). */
  scope: string | null;
  folder: string;
}

export class Session {
  readonly folders: string[] = [];
  private readonly settings = new Map<string, ServerSettings>();
  /** Findings published, by absolute path. */
  readonly published = new Map<string, LspDiagnostic[]>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly buffers: () => ReadonlyMap<string, OpenBuffer>,
    private readonly warn: (message: string) => void,
  ) {}

  folderOf(path: string): string {
    let best: string | null = null;
    for (const f of this.folders) if (isWithin(path, f) && (best === null || f.length > best.length)) best = f;
    return best ?? dirname(path);
  }

  /** Settings of a folder, checked as `--rule` is: a mistake is shown once and those rules are not used. */
  async setSettings(folder: string, raw: unknown): Promise<void> {
    const settings: ServerSettings = {};
    if (raw && typeof raw === 'object') {
      const r = raw as Record<string, unknown>;
      if (typeof r.preset === 'string' && r.preset !== '') {
        const preset = presetNamed(r.preset);
        if (preset === null)
          this.warn(`netra-migrate.preset: unknown preset ${JSON.stringify(r.preset)} (presets: ${PRESETS.join(', ')}); not used`);
        else settings.preset = preset;
      }
      if (typeof r.python === 'string' && r.python !== '') settings.python = r.python;
      if (r.rules && typeof r.rules === 'object') {
        const errors = await settingsErrors(r.rules as Record<string, unknown>, allRules);
        if (errors.length > 0) this.warn(`netra-migrate.rules: ${errors.join('; ')} (these settings are not used)`);
        else settings.rules = r.rules as RuleSettings;
      }
    }
    this.settings.set(folder, settings);
  }

  /** The options every run of a folder shares: buffers, the editor's rules (under the tool config's), python. */
  runOptions(folder: string, paths: string[]): RunOptions {
    const s = this.settings.get(folder) ?? {};
    const buffers = new Map([...this.buffers()].map(([p, b]) => [p, b.text]));
    const python = s.python === undefined ? undefined : s.python.includes('/') ? resolve(folder, s.python) : s.python;
    return {
      cwd: folder,
      paths,
      buffers,
      ...(s.rules ? { baseRules: s.rules } : {}),
      ...(s.preset ? { basePreset: s.preset } : {}),
      ...(python !== undefined ? { python } : {}),
    };
  }

  /** Run `work` after every run queued before it (runs never interleave; a later one sees newer buffers). */
  enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  texts(): TextSource {
    const open = this.buffers();
    return { text: (p) => open.get(p)?.text ?? diskText(p), version: (p) => open.get(p)?.version ?? null };
  }

  /** Check `scope` (a file or directory; null: the folder) and convert the findings for the files inside it. */
  async analyze(folder: string, scope: string | null, onProgress?: (done: number, total: number) => void): Promise<RunOutcome> {
    const options = this.runOptions(folder, [scope ?? folder]);
    const result: CheckResult = await check({ ...options, ...(onProgress ? { onProgress } : {}) });
    const positions = new Positions(this.texts());
    const byFile = new Map<string, LspDiagnostic[]>();
    const inside = (file: string) => scope === null || isWithin(file, scope);
    for (const p of result.problems) if (inside(p.file)) push(byFile, p.file, problemDiagnostic(p));
    for (const d of result.diagnostics) if (inside(d.file)) push(byFile, d.file, toLspDiagnostic(d, positions));
    return { byFile, scope, folder };
  }

  /**
   * Files whose published findings change with this outcome, with their new findings: every file inside the
   * run's scope (a file no longer reported gets an empty list).
   */
  apply(outcome: RunOutcome): Map<string, LspDiagnostic[]> {
    const changed = new Map<string, LspDiagnostic[]>();
    const inScope = (file: string) => isWithin(file, outcome.scope ?? outcome.folder);
    for (const file of this.published.keys()) if (inScope(file) && !outcome.byFile.has(file)) changed.set(file, []);
    for (const [file, list] of outcome.byFile) changed.set(file, list);
    for (const [file, list] of changed) {
      if (list.length === 0) this.published.delete(file);
      else this.published.set(file, list);
    }
    return changed;
  }

  /** What `fix --write FILE` would write, as changes (safe fixes only), on the buffers. */
  async fixFile(path: string): Promise<FixResult> {
    const folder = this.folderOf(path);
    return fix({ ...this.runOptions(folder, [path]), write: false, unsafe: false });
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
