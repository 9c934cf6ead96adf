/**
 * Well-known helpers that real Jest configs call, modelled by what their packages document they return, so a
 * config built with them is read statically instead of being "computed". Only the keys matter to the rules:
 * a helper result is an object whose keys are known and whose values stay computed.
 *
 * - `next/jest` (also `next/jest.js`): `nextJest(opts)` returns `createJestConfig`; `createJestConfig(config)`
 *   returns an async function Jest calls, giving the user's config plus `moduleNameMapper`,
 *   `testPathIgnorePatterns`, `transform`, `transformIgnorePatterns` and `watchPathIgnorePatterns` (its own
 *   entries merged with the user's; packages/next/src/build/jest/jest.ts).
 * - `ts-jest`: `createDefaultPreset()`, `createJsWithTsPreset()`, `createJsWithBabelPreset()` and their
 *   `Legacy` forms return `{ transform }`; the `Esm` forms `{ extensionsToTreatAsEsm, transform }`; the
 *   objects of `ts-jest/presets` (`defaults`, `jsWithTs`, ...) the same keys.
 * - `jest-preset-angular/presets`: `createCjsPreset()` / `createEsmPreset()` return the preset's
 *   `testEnvironment`, `moduleFileExtensions`, `snapshotSerializers`, `transform`, `transformIgnorePatterns`
 *   (ESM also `extensionsToTreatAsEsm`, `moduleNameMapper`).
 * - Nx: `nxPreset` (`require('@nx/jest/preset').default`, or imported by name) has `testMatch`, `resolver`,
 *   `moduleFileExtensions`, `coverageReporters`, `testEnvironment`, `testEnvironmentOptions`.
 */

/** Keys next/jest adds to (or merges into) the config it wraps. */
export const NEXT_JEST_KEYS = [
  'moduleNameMapper',
  'testPathIgnorePatterns',
  'transform',
  'transformIgnorePatterns',
  'watchPathIgnorePatterns',
] as const;

export const NEXT_JEST_MODULES = new Set(['next/jest', 'next/jest.js']);

const TS_JEST_CJS = ['transform'];
const TS_JEST_ESM = ['extensionsToTreatAsEsm', 'transform'];
const ANGULAR = ['testEnvironment', 'moduleFileExtensions', 'snapshotSerializers', 'transform', 'transformIgnorePatterns'];

/** Preset factories: module, exported function, the keys of the object it returns. */
const PRESET_FACTORIES: Record<string, Record<string, readonly string[]>> = {
  'ts-jest': Object.fromEntries(
    ['Default', 'JsWithTs', 'JsWithBabel'].flatMap((base) => [
      [`create${base}Preset`, TS_JEST_CJS],
      [`create${base}LegacyPreset`, TS_JEST_CJS],
      [`create${base}EsmPreset`, TS_JEST_ESM],
      [`create${base}EsmLegacyPreset`, TS_JEST_ESM],
    ]),
  ),
  'jest-preset-angular/presets': { createCjsPreset: ANGULAR, createEsmPreset: [...ANGULAR, 'extensionsToTreatAsEsm', 'moduleNameMapper'] },
};
PRESET_FACTORIES['jest-preset-angular/presets/index.js'] = PRESET_FACTORIES['jest-preset-angular/presets']!;

/** Nx's `nxPreset` (`@nx/jest/preset`, before Nx 16 `@nrwl/jest/preset`): the keys it documents; none is a limit. */
const NX_PRESET = ['testMatch', 'resolver', 'moduleFileExtensions', 'coverageReporters', 'testEnvironment', 'testEnvironmentOptions'];

/** Preset objects read as members (`require('ts-jest/presets').jsWithTs`, `require('@nx/jest/preset').default`). */
const PRESET_OBJECTS: Record<string, Record<string, readonly string[]>> = {
  '@nx/jest/preset': { default: NX_PRESET, nxPreset: NX_PRESET },
  '@nrwl/jest/preset': { default: NX_PRESET, nxPreset: NX_PRESET },
  'ts-jest/presets': Object.fromEntries(
    ['defaults', 'jsWithTs', 'jsWithBabel'].flatMap((base) => [
      [base, TS_JEST_CJS],
      [`${base}Legacy`, TS_JEST_CJS],
      [`${base}ESM`, TS_JEST_ESM],
      [`${base}ESMLegacy`, TS_JEST_ESM],
    ]),
  ),
};

/** The keys a call of `member` from `module` returns, if it is a known preset factory. */
export function presetFactoryKeys(module: string, member: string): readonly string[] | null {
  return PRESET_FACTORIES[module]?.[member] ?? null;
}

/** The keys of a known preset object, `member` of `module`. */
export function presetObjectKeys(module: string, member: string): readonly string[] | null {
  return PRESET_OBJECTS[module]?.[member] ?? null;
}

/** The helper modules the reader follows bindings of (anything else imported stays computed). */
export const KNOWN_MODULES = new Set([...NEXT_JEST_MODULES, ...Object.keys(PRESET_FACTORIES), ...Object.keys(PRESET_OBJECTS)]);
