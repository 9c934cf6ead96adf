import type { Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { Edit } from '../../../core/diagnostic.js';
import { defineRule } from '../../../core/rule.js';
import { addEntries, lineIndent, linesAfter as after } from '../../../formats/yaml-edit.js';
import pytestRule from '../../pytest/rules/require-memory-limit.js';
import type { ComposeFile, ComposeService } from '../compose.js';
import { composeMb, DEFAULT_CONTAINER_MEMORY, DEFAULT_CONTAINER_RESERVATION, monitorVariables } from '../limits.js';

export interface Options {
  containerMemory?: string;
  containerReservation?: string;
}

function serviceEdits(compose: ComposeFile, service: ComposeService, options: Required<Options>): Edit[] | null {
  const { text, file } = compose;
  const items = service.map.items as Pair<{ range?: [number, number, number] }, { range?: [number, number, number] } | null>[];
  const first = items[0]?.key?.range;
  const last = items[items.length - 1];
  const lastEnd = last?.value?.range?.[2] ?? last?.key?.range?.[2];
  if (!first || lastEnd === undefined || service.map.flow) return null;
  const indent = lineIndent(text, first[0]);
  const unit = indent.slice(lineIndent(text, service.key.start).length) || '  ';
  const memory = service.memory ?? options.containerMemory;
  const mb = composeMb(memory);
  if (mb === null) return null;
  const tail: string[] = [];
  const edits: Edit[] = [];
  if (service.memory === null) {
    if (service.hasDeploy) return null;
    tail.push(
      `${indent}deploy:`,
      `${indent}${unit}resources:`,
      `${indent}${unit}${unit}limits:`,
      `${indent}${unit}${unit}${unit}memory: ${options.containerMemory}`,
    );
    tail.push(`${indent}${unit}${unit}reservations:`, `${indent}${unit}${unit}${unit}memory: ${options.containerReservation}`);
  }
  if (service.runner === 'pytest') {
    const wanted = monitorVariables(mb).filter(([k]) => !service.environment.names.has(k));
    const env = service.environment.node;
    if (wanted.length > 0) {
      if (service.environment.opaque) return null;
      if (!env && service.environment.inherited) {
        // The environment comes through a merge key. A service-level `environment:` replaces it whole (YAML
        // merges one level only), so the new one starts with every inherited entry, in order, as written.
        const copied = inheritedEntries(text, service.environment.inherited, wanted);
        if (!copied) return null;
        tail.push(`${indent}environment:`, ...copied.map((line) => `${indent}${unit}${line}`));
      } else if (!env) tail.push(`${indent}environment:`, ...wanted.map(([k, v]) => `${indent}${unit}${k}: "${v}"`));
      else {
        const added = env.items.length > 0 ? addEntries(text, service.map, env, 'environment', wanted) : null;
        if (!added) return null;
        edits.push({ file, start: added.at, end: added.at, text: added.text });
      }
    }
  }
  if (tail.length > 0) {
    const { at, lead, eol } = after(text, lastEnd);
    edits.push({ file, start: at, end: at, text: lead + tail.join(eol) + eol });
  }
  return edits;
}

/**
 * The lines of an inherited environment copied as written (`KEY: value` or `- KEY=value`), then the new
 * entries in the same style; null when an entry spans lines or the environment is in flow style.
 */
function inheritedEntries(text: string, env: YAMLMap | YAMLSeq, wanted: readonly (readonly [string, string])[]): string[] | null {
  if (env.flow) return null;
  const lines: string[] = [];
  // Pairs (a map) have keys; the scalars of a `- KEY=value` list do not.
  const first = env.items[0] as object | undefined;
  const isSeq = first !== undefined && !('key' in first);
  for (const item of env.items as (
    | Pair<{ range?: [number, number, number] }, { range?: [number, number, number] } | null>
    | { range?: [number, number, number]; key?: undefined }
  )[]) {
    const start = 'key' in item && item.key ? item.key.range?.[0] : (item as { range?: [number, number, number] }).range?.[0];
    const end =
      'key' in item && item.key
        ? (item.value?.range?.[1] ?? item.key.range?.[1])
        : (item as { range?: [number, number, number] }).range?.[1];
    if (start === undefined || end === undefined) return null;
    const written = text.slice(start, end);
    if (/[\r\n]/.test(written)) return null;
    lines.push(isSeq ? `- ${written}` : written);
  }
  for (const [k, v] of wanted) lines.push(isSeq ? `- ${k}=${v}` : `${k}: "${v}"`);
  return lines;
}

/**
 * The Compose side of `require-memory-limit`: one rule id, one set of options and docs (the pytest rule's
 * metadata, which lists both), two implementations.
 */
export default defineRule<ComposeFile, 'noContainerLimit' | 'noMonitorEnv', Options>({
  meta: {
    ...pytestRule.meta,
    messages: {
      noContainerLimit: 'service `{{service}}` runs {{runner}} without a container memory limit: a greedy test takes the host down with it',
      noMonitorEnv:
        "service `{{service}}` runs pytest without {{missing}} in its environment: the memory monitor inside does not know the container's limit",
    },
    defaultOptions: { containerMemory: DEFAULT_CONTAINER_MEMORY, containerReservation: DEFAULT_CONTAINER_RESERVATION },
  },
  check(ctx, compose) {
    const options = {
      containerMemory: ctx.options.containerMemory ?? DEFAULT_CONTAINER_MEMORY,
      containerReservation: ctx.options.containerReservation ?? DEFAULT_CONTAINER_RESERVATION,
    };
    for (const service of compose.services) {
      if (!service.runner) continue;
      const missingEnv =
        service.runner === 'pytest'
          ? ['PYTEST_MEMORY_LIMIT_MB', 'PYTEST_COLLECTION_LIMIT_MB'].filter((k) => !service.environment.names.has(k))
          : [];
      if (service.memory !== null && missingEnv.length === 0) continue;
      const edits = serviceEdits(compose, service, options);
      const fix =
        edits && edits.length > 0
          ? {
              title: `Give ${service.name} a memory limit${missingEnv.length > 0 ? ' and the monitor its limits' : ''}`,
              applicability: 'safe' as const,
              edits,
            }
          : null;
      if (service.memory === null)
        ctx.report({
          messageId: 'noContainerLimit',
          data: { service: service.name, runner: service.runner },
          file: compose.file,
          ...service.key,
          fix,
        });
      else
        ctx.report({
          messageId: 'noMonitorEnv',
          data: { service: service.name, missing: missingEnv.join(' and ') },
          // A refinement of the monitor's own `auto` limit: a warning under every preset.
          severity: 'warning',
          file: compose.file,
          ...service.key,
          fix,
        });
    }
  },
});
