/**
 * The memory monitor module as netra-migrate writes it, and how a written copy is recognised later: its
 * first line names the version, its second carries a checksum of the whole text (the checksum line read
 * as its placeholder, line endings as LF, so a CRLF checkout is not an edit). A copy whose checksum no
 * longer matches was edited by someone, and is never overwritten without being asked.
 */
import { createHash } from 'node:crypto';
import { MONITOR_SOURCE, MONITOR_VERSION } from '../generated/monitor.js';

export const MONITOR_MODULE = 'pytest_memory_plugin';
export const MONITOR_FILE = `${MONITOR_MODULE}.py`;
export { MONITOR_VERSION };

const CHECKSUM_LINE = /^# netra-migrate-sha256: (.*)$/m;
const PLACEHOLDER = '{{checksum}}';
const VERSION_LINE = /^\uFEFF?# pytest_memory_plugin (\d+(?:\.\d+)*), the memory monitor written by netra-migrate/;

export function monitorChecksum(text: string): string {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').replace(CHECKSUM_LINE, `# netra-migrate-sha256: ${PLACEHOLDER}`);
  return createHash('sha256').update(normalized).digest('hex');
}

let stamped: string | undefined;

/** The module text to write, checksum filled in. */
export function monitorText(): string {
  stamped ??= MONITOR_SOURCE.replace(PLACEHOLDER, monitorChecksum(MONITOR_SOURCE));
  return stamped;
}

export interface MonitorCopy {
  /** Null when the file has no netra-migrate header: someone else's module of the same name. */
  version: string | null;
  /** The text differs from what netra-migrate wrote (checksum mismatch or no header). */
  edited: boolean;
}

export function inspectMonitorCopy(text: string): MonitorCopy {
  const version = VERSION_LINE.exec(text)?.[1] ?? null;
  const recorded = CHECKSUM_LINE.exec(text)?.[1]?.trim();
  if (version === null || recorded === undefined) return { version, edited: true };
  return { version, edited: recorded !== monitorChecksum(text) };
}

/** Numeric comparison of dotted versions: negative when a is older. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
