/**
 * A measurement `netra-migrate measure --save` wrote (each test root's collection time and peak memory), and
 * how `single-test-root` cites it. Read with guards: a regular file of at most 1 MB, JSON of the expected
 * shape; anything else is ignored with a note, never an error of the check.
 */
import { dirname, join, resolve } from 'node:path';
import { readRegularFile } from '../../core/fs.js';

export const MEASUREMENT_FILE = join('.netra-migrate-cache', 'measurement.json');
const MAX_BYTES = 1024 * 1024;

/** One collection run: one root, or all roots together. */
export interface RunMeasurement {
  /** The root as `testpaths` lists it (a Jest/Vitest project's directory); `all` for the run of every root. */
  root: string;
  tests: number | null;
  seconds: number;
  peakMb: number | null;
  exitCode: number | null;
  error: string | null;
}

export interface MeasuredRuns {
  roots: RunMeasurement[];
  all: RunMeasurement;
}

export interface ConfigMeasurement extends MeasuredRuns {
  /** The config, relative to `base`, `/`-separated. */
  config: string;
  runner: 'pytest' | 'jest' | 'vitest';
  /** What `tests` counts: pytest and Vitest collect tests, `jest --listTests` lists test files. */
  unit: 'tests' | 'test files';
  /** The same runs on a copy of the project after `fix --write` (`--after-fix`). */
  after?: MeasuredRuns;
}

export interface Measurement {
  version: 1;
  /** The directory the config paths are relative to (the working directory of `measure`). */
  base: string;
  measuredAt: string;
  configs: ConfigMeasurement[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const numOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
const strOrNull = (v: unknown) => v === null || typeof v === 'string';

function isRun(v: unknown): v is RunMeasurement {
  return (
    isObject(v) &&
    typeof v.root === 'string' &&
    numOrNull(v.tests) &&
    typeof v.seconds === 'number' &&
    Number.isFinite(v.seconds) &&
    numOrNull(v.peakMb) &&
    (v.exitCode === null || Number.isInteger(v.exitCode)) &&
    strOrNull(v.error)
  );
}

const isRuns = (v: unknown): v is MeasuredRuns => isObject(v) && Array.isArray(v.roots) && v.roots.every(isRun) && isRun(v.all);

/** Why `value` is not a measurement, or null when it is one. */
export function measurementShapeError(value: unknown): string | null {
  if (!isObject(value)) return 'not a JSON object';
  if (value.version !== 1) return 'unknown version (expected 1)';
  if (typeof value.base !== 'string') return '"base" is not a string';
  if (!Array.isArray(value.configs)) return '"configs" is not a list';
  for (const [i, c] of value.configs.entries()) {
    if (!isObject(c) || typeof c.config !== 'string' || !isRuns(c) || (c.after !== undefined && !isRuns(c.after)))
      return `configs[${i}] does not have the shape of a measured config`;
  }
  return null;
}

/** A measurement file read with guards: `{measurement}`, or `{note}` saying why it is ignored. */
export function readMeasurement(file: string): { measurement: Measurement } | { note: string } {
  let text: string;
  try {
    text = readRegularFile(file, MAX_BYTES).bytes.toString('utf8');
  } catch (e) {
    return { note: (e as Error).message.replace(`${file}: `, '') };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { note: `not JSON (${(e as Error).message})` };
  }
  const error = measurementShapeError(value);
  return error ? { note: error } : { measurement: value as Measurement };
}

/** `.netra-migrate-cache/measurement.json` in `dir` or the nearest directory above it that has one. */
export function findMeasurementFile(dir: string, exists: (path: string) => boolean): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const candidate = join(d, MEASUREMENT_FILE);
    if (exists(candidate)) return candidate;
    if (dirname(d) === d) return null;
  }
}

/** The measured runs of one config file (absolute path), if the measurement has it. */
export function measuredConfig(measurement: Measurement, configFile: string): ConfigMeasurement | undefined {
  return measurement.configs.find((c) => resolve(measurement.base, c.config) === resolve(configFile));
}

const thousands = (n: number) => n.toLocaleString('en-US');

/** "1.4 GB", "312 MB". */
export function formatMb(mb: number | null): string {
  if (mb === null) return '? MB';
  return mb >= 1000 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`;
}

/** "41 s", "0.4 s". */
export function formatSeconds(s: number): string {
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

/** One run as `single-test-root` cites it: "1,330 tests, 41 s, 1.4 GB" (or its error). */
export function describeRun(run: RunMeasurement, unit: string): string {
  const tests = run.tests === null ? `? ${unit}` : `${thousands(run.tests)} ${run.tests === 1 ? unit.replace(/s$/, '') : unit}`;
  const failed = run.error ? ` (${run.error.length > 80 ? `${run.error.slice(0, 77)}...` : run.error})` : '';
  return `${tests}, ${formatSeconds(run.seconds)}, ${formatMb(run.peakMb)}${failed}`;
}

/** "collecting `a` alone: 3 tests, 0.4 s, 32 MB; `b` alone: ...; all together: ..." */
export function citeMeasurement(measured: ConfigMeasurement, roots: readonly string[]): string | null {
  const runs = roots.map((r) => measured.roots.find((m) => m.root === r)).filter((m): m is RunMeasurement => m !== undefined);
  if (runs.length === 0) return null;
  const alone = runs.map((r) => `\`${r.root}\` alone: ${describeRun(r, measured.unit)}`).join('; ');
  return `collecting ${alone}; all together: ${describeRun(measured.all, measured.unit)}`;
}
