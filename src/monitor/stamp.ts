/**
 * The memory monitor modules as netra-migrate writes them, and how a written copy is recognised later: its
 * first line names the version, its second carries a checksum of the whole text (the checksum line read
 * as its placeholder, line endings as LF, so a CRLF checkout is not an edit). A copy whose checksum no
 * longer matches was edited by someone, and is never overwritten without being asked.
 */
import { createHash } from 'node:crypto';
import { MONITOR_SOURCE, MONITOR_VERSION, NODE_MONITOR_SOURCE, NODE_MONITOR_VERSION, VITEST_ADAPTER_SOURCE } from '../generated/monitor.js';

export const MONITOR_MODULE = 'pytest_memory_plugin';
export const MONITOR_FILE = `${MONITOR_MODULE}.py`;
export { MONITOR_VERSION };

const PLACEHOLDER = '{{checksum}}';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface MonitorCopy {
  /** Null when the file has no netra-migrate header: someone else's module of the same name. */
  version: string | null;
  /** The text differs from what netra-migrate wrote (checksum mismatch or no header). */
  edited: boolean;
}

/** A module netra-migrate writes into users' repositories, and how a written copy is recognised later. */
export interface ShippedModule {
  file: string;
  version: string;
  /** The text to write, checksum filled in. */
  text: () => string;
  inspect(text: string): MonitorCopy;
}

function shipped(file: string, name: string, version: string, source: string, comment: string): ShippedModule {
  const checksumLine = new RegExp(`^${escape(comment)} netra-migrate-sha256: (.*)$`, 'm');
  const versionLine = new RegExp(`^\uFEFF?${escape(comment)} ${escape(name)} (\\d+(?:\\.\\d+)*),`);
  const checksum = (text: string) =>
    createHash('sha256')
      .update(
        text
          .replace(/^\uFEFF/, '')
          .replace(/\r\n?/g, '\n')
          .replace(checksumLine, `${comment} netra-migrate-sha256: ${PLACEHOLDER}`),
      )
      .digest('hex');
  let stamped: string | undefined;
  return {
    file,
    version,
    text: () => (stamped ??= source.replace(PLACEHOLDER, checksum(source))),
    inspect(text) {
      const found = versionLine.exec(text)?.[1] ?? null;
      const recorded = checksumLine.exec(text)?.[1]?.trim();
      if (found === null || recorded === undefined) return { version: found, edited: true };
      return { version: found, edited: recorded !== checksum(text) };
    },
  };
}

/** The pytest plugin; the Node monitor (Jest loads it directly) and its Vitest adapter. */
export const PYTEST_MONITOR = shipped(MONITOR_FILE, MONITOR_MODULE, MONITOR_VERSION, MONITOR_SOURCE, '#');
export const NODE_MONITOR = shipped('netra-memory-monitor.cjs', 'netra-memory-monitor', NODE_MONITOR_VERSION, NODE_MONITOR_SOURCE, '//');
export const VITEST_ADAPTER = shipped(
  'netra-memory-monitor.mjs',
  'netra-memory-monitor',
  NODE_MONITOR_VERSION,
  VITEST_ADAPTER_SOURCE,
  '//',
);

/** The pytest plugin's text to write, checksum filled in. */
export const monitorText = (): string => PYTEST_MONITOR.text();
export const inspectMonitorCopy = (text: string): MonitorCopy => PYTEST_MONITOR.inspect(text);

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
