import { defineRule } from '../../../core/rule.js';
import { LineIndex } from '../../../core/text.js';
import { basename, dirname, relative } from 'node:path';
import { governingConfig } from '../../ci/roots.js';
import { getEntry, typedValue } from '../../pytest/config.js';
import type { ComposeFile } from '../compose.js';
import { composeMb } from '../limits.js';

export default defineRule<ComposeFile, 'aboveContainer' | 'configAboveContainer', Record<string, never>>({
  meta: {
    id: 'consistent-memory-limits',
    runners: ['pytest'],
    severity: 'error',
    fix: 'none',
    description: "The memory monitor's limit fits inside the container's.",
    messages: {
      aboveContainer:
        '{{variable}} = {{value}} MB is above the container limit of service `{{service}}` ({{memory}}, line {{line}}): the container is killed before the monitor acts',
      configAboveContainer:
        'the container limit of service `{{service}}` ({{memory}}) is below `{{key}} = {{value}}` in {{config}} (line {{line}}), which this service does not override: the container is killed before the monitor acts',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: "Flags a Compose test service whose `PYTEST_MEMORY_LIMIT_MB` or `PYTEST_COLLECTION_LIMIT_MB` is above the service's own memory limit (`deploy.resources.limits.memory` or `mem_limit`), or, where the service does not set them, whose container limit is below `memory_limit_mb`/`collection_memory_limit_mb` of the pytest config governing the Compose file.",
      why: "The monitor skips or fails tests when a process passes its limit; if that limit is above the container's, the kernel kills the container first and the run ends without a report, which is what the monitor is there to prevent.",
      example: {
        file: 'compose.yaml',
        bad: 'services:\n  tests:\n    command: pytest\n    mem_limit: 512m\n    environment:\n      PYTEST_MEMORY_LIMIT_MB: "1024"\n',
        good: 'services:\n  tests:\n    command: pytest\n    mem_limit: 512m\n    environment:\n      PYTEST_MEMORY_LIMIT_MB: "409"\n',
      },
      fixSafety: "No fix: which of the two numbers is wrong is the user's call; the message names both places.",
    },
  },
  check(ctx, compose) {
    const index = new LineIndex(compose.text);
    for (const service of compose.services) {
      if (service.runner !== 'pytest' || service.memory === null || service.memoryAt === null) continue;
      const container = composeMb(service.memory);
      if (container === null) continue;
      for (const variable of ['PYTEST_MEMORY_LIMIT_MB', 'PYTEST_COLLECTION_LIMIT_MB']) {
        const entry = service.environment.values.get(variable);
        const value = entry ? Number(entry.value.trim()) : NaN;
        if (!entry || !Number.isFinite(value) || value <= container) continue;
        ctx.report({
          messageId: 'aboveContainer' as const,
          data: { variable, value, service: service.name, memory: service.memory, line: index.position(service.memoryAt.start).line },
          file: compose.file,
          start: entry.start,
          end: entry.end,
        });
      }
      // Limits the service leaves to the pytest config must fit too.
      const config = governingConfig(dirname(compose.file), compose.ws);
      if (!config) continue;
      for (const [key, variable] of [
        ['memory_limit_mb', 'PYTEST_MEMORY_LIMIT_MB'],
        ['collection_memory_limit_mb', 'PYTEST_COLLECTION_LIMIT_MB'],
      ] as const) {
        if (service.environment.names.has(variable)) continue;
        const entry = getEntry(config, key);
        const typed = entry ? typedValue(config, entry, 'string') : null;
        const value = typed?.ok ? Number(String(typed.value).trim()) : NaN;
        if (!entry || !Number.isFinite(value) || value <= container) continue;
        ctx.report({
          messageId: 'configAboveContainer',
          data: {
            service: service.name,
            memory: service.memory,
            key,
            value,
            config: relative(dirname(compose.file), config.file) || basename(config.file),
            line: new LineIndex(config.text).position(entry.keyStart).line,
          },
          file: compose.file,
          ...service.memoryAt,
        });
      }
    }
  },
});
