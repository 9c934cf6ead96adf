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

/** Every document of a YAML file; the first error, with its line, is a FileProblem. */
export function parseAll(y: Yaml, file: string, text: string): Document[] {
  const parsed = y.parseAllDocuments(text);
  const docs = (Array.isArray(parsed) ? parsed : []) as Document[];
  for (const doc of docs) throwFirstError(doc, file);
  return docs;
}

/** A file of one YAML document (a workflow, `.gitlab-ci.yml`); its first error, with its line, is a FileProblem. */
export function parseOne(y: Yaml, file: string, text: string): Document {
  const doc = y.parseDocument(text);
  throwFirstError(doc, file);
  return doc;
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
