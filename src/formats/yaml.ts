/**
 * YAML through the `yaml` package's document model (every node keeps its source range), loaded only when a
 * YAML file is read. Readers take ranges from here; edits are splices of the original text (yaml-edit.ts).
 */
import type { Document } from 'yaml';
import { FileProblemError } from '../core/diagnostic.js';

export type Yaml = typeof import('yaml');

let yamlModule: Yaml | undefined;
export async function loadYaml(): Promise<Yaml> {
  if (!yamlModule) {
    // Bundled as CommonJS, the module's functions may sit on `default`.
    const m = (await import('yaml')) as Yaml & { default?: Yaml };
    yamlModule = typeof m.parseDocument === 'function' ? m : m.default!;
  }
  return yamlModule;
}

/**
 * Parsed documents by file, while the text is the same: the CI analyzer and the pytest and Node environment
 * models each read every workflow (up to 8 parses of one file per run), and the `yaml` package reads about
 * 1 MB/s. Readers never change a document (edits splice the text), so one serves all. Bounded, for the
 * language server's long life.
 */
const parsed = new Map<string, { text: string; docs: Document[] } | { text: string; error: FileProblemError }>();

function memo(file: string, text: string, parse: () => Document[]): Document[] {
  const hit = parsed.get(file);
  if (hit?.text === text) {
    if ('error' in hit) throw hit.error;
    return hit.docs;
  }
  if (parsed.size >= 256) parsed.clear();
  try {
    const docs = parse();
    parsed.set(file, { text, docs });
    return docs;
  } catch (e) {
    if (e instanceof FileProblemError) parsed.set(file, { text, error: e });
    throw e;
  }
}

/** Every document of a YAML file; the first error, with its line, is a FileProblem. */
export function parseAll(y: Yaml, file: string, text: string): Document[] {
  return memo(`all:${file}`, text, () => {
    const out = y.parseAllDocuments(text);
    const docs = (Array.isArray(out) ? out : []) as Document[];
    for (const doc of docs) throwFirstError(doc, file);
    return docs;
  });
}

/** A file of one YAML document (a workflow, `.gitlab-ci.yml`); its first error, with its line, is a FileProblem. */
export function parseOne(y: Yaml, file: string, text: string): Document {
  return memo(`one:${file}`, text, () => {
    const doc = y.parseDocument(text);
    throwFirstError(doc, file);
    return [doc];
  })[0]!;
}

function throwFirstError(doc: Document, file: string): void {
  const e = doc.errors[0];
  if (!e) return;
  throw new FileProblemError({
    file,
    line: e.linePos?.[0]?.line,
    column: e.linePos?.[0]?.col,
    message: `invalid YAML: ${e.message.split('\n')[0]}`,
  });
}
