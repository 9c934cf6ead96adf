import { defineRule } from '../../../core/rule.js';
import { LineIndex } from '../../../core/text.js';
import type { ComposeFile } from '../compose.js';
import { composeMb } from './require-memory-limit.js';

export default defineRule<ComposeFile, 'aboveContainer', Record<string, never>>({
  meta: {
    id: 'consistent-memory-limits',
    runners: ['pytest'],
    severity: 'error',
    fix: 'none',
    description: "The memory monitor's limit fits inside the container's.",
    messages: {
      aboveContainer: '{{variable}} = {{value}} MB is above the container limit of service `{{service}}` ({{memory}}, line {{line}}): the container is killed before the monitor acts',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: "Flags a Compose test service whose `PYTEST_MEMORY_LIMIT_MB` or `PYTEST_COLLECTION_LIMIT_MB` is above the service's own memory limit (`deploy.resources.limits.memory` or `mem_limit`).",
      why: "The monitor skips or fails tests when a process passes its limit; if that limit is above the container's, the kernel kills the container first and the run ends without a report, which is what the monitor is there to prevent.",
      example: {
        file: 'compose.yaml',
        bad: 'services:\n  tests:\n    command: pytest\n    mem_limit: 512m\n    environment:\n      PYTEST_MEMORY_LIMIT_MB: "1024"\n',
        good: 'services:\n  tests:\n    command: pytest\n    mem_limit: 512m\n    environment:\n      PYTEST_MEMORY_LIMIT_MB: "409"\n',
      },
      fixSafety: 'No fix: which of the two numbers is wrong is the user\'s call; the message names both places.',
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
          messageId: 'aboveContainer',
          data: { variable, value, service: service.name, memory: service.memory, line: index.position(service.memoryAt.start).line },
          file: compose.file,
          start: entry.start,
          end: entry.end,
        });
      }
    }
  },
});
