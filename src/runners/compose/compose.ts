/**
 * Docker Compose files: which services run tests, and what they set for memory. Parsed with the `yaml`
 * package's document model (every node keeps its source range), loaded only when a Compose file is read;
 * edits are splices of the original text, so comments, anchors, order and style survive.
 */
import type { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { loadYaml, parseAll } from '../../formats/yaml.js';

export const COMPOSE_NAME = /^(compose|docker-compose)(\.[\w.-]+)?\.ya?ml$/;

export type TestRunner = 'pytest' | 'jest' | 'vitest';

export interface ComposeService {
  name: string;
  /** The service's key. */
  key: { start: number; end: number };
  map: YAMLMap;
  runner: TestRunner | null;
  /** entrypoint and command as one line, and where the command is written. */
  command: string;
  commandAt: { start: number; end: number } | null;
  /** `deploy.resources.limits.memory` or `mem_limit`, as written. */
  memory: string | null;
  hasDeploy: boolean;
  /** Where the memory limit's value is written. */
  memoryAt: { start: number; end: number } | null;
  environment: { node: YAMLMap | YAMLSeq | null; names: Set<string>; values: Map<string, { value: string; start: number; end: number }> };
}

export interface ComposeFile {
  file: string;
  text: string;
  docs: Document[];
  services: ComposeService[];
}

/** What a command runs: pytest (also `python -m pytest`, `py.test`), jest or vitest (also through npx/pnpm/yarn). */
export function testRunnerOf(command: string): TestRunner | null {
  if (/(^|[\s/;&|'"])(py\.test|pytest)(\s|$|['"])|-m\s+pytest\b/.test(command)) return 'pytest';
  if (/(^|[\s/;&|'"])(npx\s+|pnpm\s+(exec\s+)?|yarn\s+)?vitest(\s|$|['"])/.test(command)) return 'vitest';
  if (/(^|[\s/;&|'"])(npx\s+|pnpm\s+(exec\s+)?|yarn\s+)?jest(\s|$|['"])/.test(command)) return 'jest';
  return null;
}

function commandText(node: unknown, y: typeof import('yaml')): string {
  if (y.isScalar(node)) return String(node.value ?? '');
  if (y.isSeq(node)) return node.items.map((i) => (y.isScalar(i) ? String(i.value) : '')).join(' ');
  return '';
}

export async function loadCompose(file: string, text: string): Promise<ComposeFile> {
  const y = await loadYaml();
  const docs = parseAll(y, file, text);
  const services: ComposeService[] = [];
  // Several documents in one file (`---`): each may hold services.
  for (const doc of docs) {
    const root = doc.contents;
    const servicesNode = y.isMap(root) ? root.get('services', true) : undefined;
    if (!y.isMap(servicesNode)) continue;
    for (const pair of servicesNode.items as Pair<Scalar, unknown>[]) {
      const map = pair.value;
      if (!y.isMap(map) || !y.isScalar(pair.key)) continue;
      const command = `${commandText(map.get('entrypoint', true), y)} ${commandText(map.get('command', true), y)}`;
      const deploy = map.get('deploy', true);
      let memory: string | null = null;
      let memoryAt: ComposeService['memoryAt'] = null;
      if (y.isMap(deploy)) {
        const m = deploy.getIn(['resources', 'limits', 'memory'], true);
        if (y.isScalar(m)) {
          memory = String(m.value);
          memoryAt = { start: m.range![0], end: m.range![1] };
        }
      }
      const memLimit = map.get('mem_limit', true);
      if (memory === null && y.isScalar(memLimit)) {
        memory = String(memLimit.value);
        memoryAt = { start: memLimit.range![0], end: memLimit.range![1] };
      }
      const env = map.get('environment', true);
      const names = new Set<string>();
      const values = new Map<string, { value: string; start: number; end: number }>();
      if (y.isMap(env)) {
        for (const p of env.items as Pair<Scalar, unknown>[]) {
          const name = String(p.key?.value ?? '');
          names.add(name);
          if (y.isScalar(p.value)) values.set(name, { value: String(p.value.value), start: p.value.range![0], end: p.value.range![1] });
        }
      }
      if (y.isSeq(env)) {
        for (const i of env.items) {
          if (!y.isScalar(i)) continue;
          const [name, ...rest] = String(i.value).split('=');
          names.add(name!);
          if (rest.length > 0) values.set(name!, { value: rest.join('='), start: i.range![0], end: i.range![1] });
        }
      }
      services.push({
        name: String(pair.key.value),
        key: { start: pair.key.range![0], end: pair.key.range![1] },
        map,
        runner: testRunnerOf(command),
        command,
        commandAt: (() => {
          const node = map.get('command', true) ?? map.get('entrypoint', true);
          return node && (y.isScalar(node) || y.isSeq(node)) && node.range ? { start: node.range[0], end: node.range[1] } : null;
        })(),
        memory,
        hasDeploy: deploy !== undefined,
        memoryAt,
        environment: { node: y.isMap(env) || y.isSeq(env) ? env : null, names, values },
      });
    }
  }
  return { file, text, docs, services };
}
