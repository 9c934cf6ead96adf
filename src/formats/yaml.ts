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
  const docs = Array.isArray(parsed) ? parsed : [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      throw new FileProblemError({
        file,
        line: e.linePos?.[0]?.line,
        column: e.linePos?.[0]?.col,
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
      });
    }
  }
  return docs as Document[];
}
