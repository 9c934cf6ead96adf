/**
 * Memory sizes of test containers: the defaults the fixes give a Compose test service (defined here once),
 * Compose's size notation, and the monitor's limits derived from a container's size.
 */

/** The memory limit and reservation the Compose fix gives a test service without one. */
export const DEFAULT_CONTAINER_MEMORY = '512M';
export const DEFAULT_CONTAINER_RESERVATION = '256M';

/**
 * The monitor's limits for a container of `mb` MB: 80% for execution and half that for collection (the
 * monitor's own `auto`), written where the monitor cannot see the container's limit itself.
 */
export function monitorVariables(mb: number): [string, string][] {
  return [
    ['PYTEST_MEMORY_LIMIT_MB', String(Math.floor(mb * 0.8))],
    ['PYTEST_COLLECTION_LIMIT_MB', String(Math.floor(mb * 0.4))],
  ];
}

/** The monitor's variables and their names, for places that state them without a size. */
export const MONITOR_VARIABLES = ['PYTEST_MEMORY_LIMIT_MB', 'PYTEST_COLLECTION_LIMIT_MB'] as const;

/** Compose sizes (`512M`, `1g`, `1.5GB`, bytes) in MB; null when unreadable. */
export function composeMb(size: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmg]?)b?\s*$/i.exec(size);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  return unit === 'g' ? n * 1024 : unit === 'm' ? n : unit === 'k' ? n / 1024 : n / 1024 / 1024;
}
