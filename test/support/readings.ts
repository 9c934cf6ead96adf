import assert from 'node:assert/strict';
import { FileProblemError } from '../../src/core/diagnostic.js';
import { type IniDocument } from '../../src/formats/ini.js';
import { loadPytestConfig } from '../../src/runners/pytest/config.js';

/** What pytest gets from tomllib for its table, in the oracle's plain encoding. */
export function pytestView(data: any, mode: 'ini' | 'toml'): Record<string, unknown> {
  const table = data?.tool?.pytest ?? {};
  const source =
    mode === 'ini' ? (table.ini_options ?? {}) : Object.fromEntries(Object.entries(table).filter(([k]) => k !== 'ini_options'));
  const scalar = (v: any): unknown => {
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map(scalar);
    if ('int' in v) return mode === 'ini' ? v.int : Number(v.int);
    if ('bool' in v) return mode === 'ini' ? (v.bool ? 'True' : 'False') : v.bool;
    if ('float' in v)
      return mode === 'ini'
        ? v.float
        : (({ inf: Infinity, '-inf': -Infinity, nan: NaN } as Record<string, number>)[v.float] ?? Number(v.float));
    return v;
  };
  return Object.fromEntries(Object.entries(source).map(([k, v]) => [k, scalar(v)]));
}

/** Compare our reading of one document with tomllib's; returns a description of the difference, or null. */
export function tomlDifference(text: string, expected: any): string | null {
  let config;
  try {
    config = loadPytestConfig('/virtual/pyproject.toml', text);
  } catch (e) {
    if (!(e instanceof FileProblemError)) throw e;
    return expected.error ? null : `we refuse (${e.problem.message}), tomllib reads it`;
  }
  if (expected.error) return `tomllib refuses (${expected.error}), we read it`;
  if (!config) return expected.data?.tool?.pytest === undefined ? null : 'pytest config missed';
  const ours = Object.fromEntries(config.entries.map((e) => [e.key, e.raw]));
  try {
    assert.deepEqual(ours, pytestView(expected.data, config.mode));
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Our INI reading in the oracle's shape (sections and values, or the error). */
export function iniReading(doc: IniDocument) {
  if (doc.error) return { error: doc.error };
  return { sections: doc.sections.map((s) => [s.name, s.entries.map((e) => [e.name, e.value])]) };
}
