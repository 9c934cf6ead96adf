import { existsSync, type Dirent } from 'node:fs';
import { FileProblemError, type FileProblem } from './diagnostic.js';
import { readTextFile, type LoadedFile } from './fs.js';
import { walkDirs } from './walk.js';

/**
 * The files one run reads, each read once, with the texts fixes produce layered on top: a fix pass
 * re-analyses the new texts without touching the disk, and nothing is written until every pass succeeded.
 */
export class Workspace {
  private readonly loaded = new Map<string, LoadedFile>();
  private readonly failed = new Map<string, FileProblem>();
  private readonly overlay = new Map<string, string>();
  private readonly walks = new Map<string, { dir: string; entries: Dirent[] }[]>();

  /**
   * The directories under `root` with their entries (see walkDirs), listed once per run: the pytest, Compose
   * and Jest/Vitest analyzers all walk the same inputs, in every fix pass.
   */
  walk(root: string): readonly { dir: string; entries: Dirent[] }[] {
    let listing = this.walks.get(root);
    if (!listing) {
      listing = [...walkDirs(root)];
      this.walks.set(root, listing);
    }
    return listing;
  }

  /** The current text, or null when the file cannot be read (the problem is kept for the report). */
  text(path: string): string | null {
    const over = this.overlay.get(path);
    if (over !== undefined) return over;
    return this.load(path)?.text ?? null;
  }

  original(path: string): LoadedFile | undefined {
    return this.loaded.get(path);
  }

  load(path: string): LoadedFile | null {
    const hit = this.loaded.get(path);
    if (hit) return hit;
    if (this.failed.has(path)) return null;
    try {
      const file = readTextFile(path);
      this.loaded.set(path, file);
      return file;
    } catch (e) {
      if (!(e instanceof FileProblemError)) throw e;
      this.failed.set(path, e.problem);
      return null;
    }
  }

  /** Every path the run has read (or tried to read), for `--show-files`. */
  readFiles(): string[] {
    return [...new Set([...this.loaded.keys(), ...this.failed.keys()])];
  }

  setText(path: string, text: string): void {
    // A file a fix creates is not in any listing yet.
    if (!this.loaded.has(path)) this.walks.clear();
    this.overlay.set(path, text);
  }

  problem(path: string): FileProblem | undefined {
    return this.failed.get(path);
  }

  /** Files whose current text differs from what was read, and files a fix creates (`created`, read as empty). */
  changed(): { file: LoadedFile; text: string; created: boolean }[] {
    const out: { file: LoadedFile; text: string; created: boolean }[] = [];
    for (const [path, text] of this.overlay) {
      const file = this.loaded.get(path);
      if (file) {
        if (file.text !== text) out.push({ file, text, created: false });
      } else if (text !== '' && !existsSync(path)) {
        out.push({ file: { path, text: '', stat: { size: 0, mtimeMs: 0, mode: 0o644 } }, text, created: true });
      }
    }
    return out;
  }

  snapshot(): string {
    return [...this.overlay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, t]) => `${p}\0${t}`).join('\0\0');
  }
}
