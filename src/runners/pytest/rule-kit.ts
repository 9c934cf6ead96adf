import type { Rule } from '../../core/rule.js';
import type { PytestConfig } from './config.js';
import type { PytestTarget } from './target.js';

export type PytestRule = Rule<PytestTarget, string, any>;

/**
 * Where a finding about the config as a whole points: its section/table header (for a table defined by
 * dotted keys, the header they sit under), else the section meant as the config that pytest ignores, else
 * the file's start.
 */
export function headerRange(config: PytestConfig): { start: number; end: number } {
  if (config.table) return { start: config.table.start, end: config.table.end };
  const stray = config.strayTables[0];
  if (stray) return { start: stray.start, end: stray.end };
  return { start: 0, end: 0 };
}

export function isActive(target: PytestTarget): boolean {
  return target.role === 'active';
}
