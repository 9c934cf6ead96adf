/**
 * Docker Compose files: which services run tests, and what they set for memory. Parsed with the `yaml`
 * package's document model (every node keeps its source range), loaded only when a Compose file is read;
 * edits are splices of the original text, so comments, anchors, order and style survive.
 */
import type { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { Workspace } from '../../core/workspace.js';
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
  /**
   * The environment the container gets. `node` is the service's own `environment:` (null when it has none);
   * `inherited` is the one it gets through a merge key (`<<: *common`) instead, when it has none of its
   * own; `opaque` is an environment the model cannot edit in place (an alias, `environment: *env`).
   * `names`/`values` are what the container sees, from either.
   */
  environment: {
    node: YAMLMap | YAMLSeq | null;
    inherited: YAMLMap | YAMLSeq | null;
    opaque: boolean;
    names: Set<string>;
    values: Map<string, { value: string; start: number; end: number }>;
  };
}

export interface ComposeFile {
  file: string;
  text: string;
  /** The run's workspace: rules read other files (the governing pytest config) through it, as the fixer holds them. */
  ws: Workspace;
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

/**
 * A service key as the container sees it: the service's own, else the first one its merge keys bring
 * (`<<: *a` or `<<: [*a, *b]`, earlier wins, recursively). YAML merges only the top level: a service with its
 * own `environment:` gets none of the inherited one.
 */
export function mergedGet(
  y: typeof import('yaml'),
  doc: Document,
  map: YAMLMap,
  key: string,
  seen = new Set<YAMLMap>(),
): { node: unknown; inherited: boolean } | undefined {
  if (seen.has(map)) return undefined;
  seen.add(map);
  const own = map.items.find((p) => y.isScalar(p.key) && p.key.value === key);
  if (own) return { node: own.value, inherited: false };
  for (const pair of map.items) {
    if (!y.isScalar(pair.key) || pair.key.value !== '<<') continue;
    const sources = y.isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const source of sources) {
      const target = y.isAlias(source) ? source.resolve(doc) : source;
      if (!y.isMap(target)) continue;
      const found = mergedGet(y, doc, target, key, seen);
      if (found) return { node: found.node, inherited: true };
    }
  }
  return undefined;
}

function commandText(node: unknown, y: typeof import('yaml')): string {
  if (y.isScalar(node)) return String(node.value ?? '');
  if (y.isSeq(node)) return node.items.map((i) => (y.isScalar(i) ? String(i.value) : '')).join(' ');
  return '';
}

export async function loadCompose(ws: Workspace, file: string, text: string): Promise<ComposeFile> {
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
      const get = (key: string) => mergedGet(y, doc, map, key)?.node;
      // A command that arrives only through a merge key runs all the same.
      const command = `${commandText(get('entrypoint'), y)} ${commandText(get('command'), y)}`;
      const deploy = get('deploy');
      let memory: string | null = null;
      let memoryAt: ComposeService['memoryAt'] = null;
      if (y.isMap(deploy)) {
        const m = deploy.getIn(['resources', 'limits', 'memory'], true);
        if (y.isScalar(m)) {
          memory = String(m.value);
          memoryAt = { start: m.range![0], end: m.range![1] };
        }
      }
      const memLimit = get('mem_limit');
      if (memory === null && y.isScalar(memLimit)) {
        memory = String(memLimit.value);
        memoryAt = { start: memLimit.range![0], end: memLimit.range![1] };
      }
      const envFound = mergedGet(y, doc, map, 'environment');
      const envValue = y.isAlias(envFound?.node) ? envFound.node.resolve(doc) : envFound?.node;
      const env = envValue;
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
          const node = get('command') ?? get('entrypoint');
          return node && (y.isScalar(node) || y.isSeq(node)) && node.range ? { start: node.range[0], end: node.range[1] } : null;
        })(),
        memory,
        hasDeploy: deploy !== undefined,
        memoryAt,
        environment: {
          node: !envFound?.inherited && !y.isAlias(envFound?.node) && (y.isMap(env) || y.isSeq(env)) ? env : null,
          inherited: envFound?.inherited && (y.isMap(env) || y.isSeq(env)) ? env : null,
          opaque: envFound !== undefined && !envFound.inherited && y.isAlias(envFound.node),
          names,
          values,
        },
      });
    }
  }
  return { file, text, ws, docs, services };
}
