/**
 * The light config parser (src/formats/js-light.ts) against TypeScript: for every Jest/Vitest config in
 * fixtures/ and the corpus, whenever it answers, the value read from its tree deep-equals the value read from
 * TypeScript's; whenever TypeScript reports a syntax error, it does not answer. And the forms it must leave
 * to TypeScript (anything it does not fully understand) it leaves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CORPUS, ROOT } from './support/env.js';
import { parseJs, readConfigValue, type ParsedJs, type ReadSource } from '../src/formats/js.js';
import { parseLight } from '../src/formats/js-light.js';
import { FileProblemError } from '../src/core/diagnostic.js';
import { configKind } from '../src/runners/js/config.js';

/** Read through `parse`, imported files too (each parser reads the files the config imports its own way). */
function reader(parse: (file: string, text: string) => ParsedJs | null): ReadSource {
  return (file) => {
    if (!existsSync(file) || !statSync(file).isFile()) return null;
    try {
      return parse(file, readFileSync(file, 'utf8'));
    } catch (e) {
      if (e instanceof FileProblemError) return null;
      throw e;
    }
  };
}
const viaTs = reader(parseJs);
const viaLight = reader((file, text) => parseLight(file, text) ?? parseJs(file, text));

function configsUnder(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules') continue;
      const path = join(d, e.name);
      if (e.isDirectory()) visit(path);
      // The corpus names a file by its whole original path (`e2e__x__package.json`).
      else if (configKind(basename(path).replace(/^.*__/, ''), true)) out.push(path);
    }
  };
  if (existsSync(dir)) visit(dir);
  return out.sort();
}

/** Compare on one file; returns whether the light parser answered. */
function compare(file: string): boolean {
  const text = readFileSync(file, 'utf8');
  const light = parseLight(file, text);
  let ts: ParsedJs;
  try {
    ts = parseJs(file, text);
  } catch (e) {
    if (!(e instanceof FileProblemError)) throw e;
    assert.equal(light, null, `${file}: TypeScript reports a syntax error, the light parser must not answer`);
    return false;
  }
  if (light === null) return false;
  assert.deepEqual(readConfigValue(light, viaLight), readConfigValue(ts, viaTs), file);
  return true;
}

test('on every config in fixtures/, the light parser reads what TypeScript reads, or leaves the file to it', () => {
  const files = configsUnder(join(ROOT, 'fixtures'));
  assert.ok(files.length > 100, `only ${files.length} configs found under fixtures/`);
  const answered = files.filter(compare).length;
  // Most configs are plain data; this guards the point of the parser (a change that bails on everything).
  assert.ok(answered / files.length > 0.6, `answered ${answered} of ${files.length}`);
  process.stdout.write(`# light parser answered ${answered} of ${files.length} fixture configs\n`);
});

// NETRA_CORPUS points at the corpus from a checkout where ../shared/corpus is not beside it.
const corpus = process.env.NETRA_CORPUS ?? CORPUS;
test('on every JS config in the corpus, the light parser reads what TypeScript reads', (t) => {
  if (!existsSync(join(corpus, 'MANIFEST.tsv'))) {
    t.skip(`corpus not found at ${corpus}; skipped`);
    return;
  }
  const files = configsUnder(corpus);
  const answered = files.filter(compare).length;
  process.stdout.write(`# light parser answered ${answered} of ${files.length} corpus configs\n`);
});

const cases: Record<string, string> = {
  'jest.config.js': `// comment\n'use strict';\nconst base = { testEnvironment: 'node' };\n/** @type {import('jest').Config} */\nmodule.exports = {\n  ...base,\n  roots: ['<rootDir>/src', \`tests\`],\n  testTimeout: -1.5e3,\n  slowTestThreshold: 10_000,\n  bail: true,\n  x: null,\n  'quoted-key': "a\\u0041\\x41\\n",\n};\n`,
  'jest.config.ts': `import type { Config } from 'jest';\nimport { createDefaultPreset } from 'ts-jest';\nconst config: Config = {\n  ...createDefaultPreset(),\n  projects: [{ displayName: 'a' }],\n} satisfies Config;\nexport default config as Config.InitialOptions;\n`,
  'vitest.config.ts': `import { defineConfig } from 'vitest/config'\nexport default defineConfig(async ({ mode }) => {\n  const shared = { pool: 'forks' }\n  return {\n    test: { ...shared, include: ['src/**'], env: mode },\n  }\n})\n`,
  'vite.config.ts': `import { fileURLToPath } from 'node:url';\nimport { defineConfig } from 'vitest/config';\nexport default defineConfig({\n  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },\n  test: { root: import.meta.dirname, setupFiles: [new URL('./setup.ts', import.meta.url).pathname] },\n});\n`,
  'vitest.config.mts': `import { defineConfig, mergeConfig } from 'vitest/config';\nimport viteConfig from './vite.config';\nexport default mergeConfig(viteConfig, defineConfig({ test: { testTimeout: 0x10 } }));\n`,
  'jest.config.cjs': `const { defaults: d } = require('jest-config');\nmodule.exports = function () {\n  return { moduleFileExtensions: [...d.moduleFileExtensions, 'cts'], watch: process.env.CI };\n};\n`,
  'jest.config.json': `{\n  "testEnvironment": "node",\n  "roots": ["<rootDir>/src"],\n  "testTimeout": -5\n}\n`,
};

test('reads the forms real configs use exactly as TypeScript does', () => {
  for (const [name, text] of Object.entries(cases)) {
    const light = parseLight(name, text);
    assert.ok(light, `${name} is in the subset`);
    assert.deepEqual(
      readConfigValue(light, () => null),
      readConfigValue(parseJs(name, text), () => null),
      name,
    );
  }
});

test('leaves to TypeScript what it does not fully understand, and every syntax error', () => {
  const outside: [string, string][] = [
    ['jest.config.js', 'module.exports = { a: 1 + 2 };'],
    ['jest.config.js', 'module.exports = { a: process.env.CI ? 1 : 2 };'],
    ['jest.config.js', 'module.exports = { a: `x${y}` };'],
    ['jest.config.js', 'module.exports = { a() { return 1; } };'],
    ['jest.config.js', 'module.exports = { [k]: 1 };'],
    ['jest.config.js', 'module.exports = { a: [1, , 2] };'],
    ['jest.config.js', 'module.exports = { a: x[0] };'],
    ['jest.config.js', 'if (x) module.exports = {};'],
    ['jest.config.js', 'module.exports = { a: /re/ };'],
    ['jest.config.js', 'module.exports = { a: 010 };'],
    ['jest.config.js', 'module.exports = { a: "\\1" };'],
    ['jest.config.js', 'module.exports = { a: 1__000 };'],
    ['jest.config.js', 'module.exports = { a: 1_ };'],
    ['jest.config.js', 'module.exports = { a: 0_1 };'],
    ['jest.config.js', 'module.exports = { a: 1n };'],
    ['jest.config.js', 'const x = 1 as number;\nmodule.exports = {};'],
    ['jest.config.js', 'import type { Config } from "jest";\nmodule.exports = {};'],
    ['jest.config.js', '#!/usr/bin/env node\nmodule.exports = {};'],
    ['jest.config.js', '\uFEFFmodule.exports = {};'],
    ['jest.config.js', 'module.exports = { a: 1 } b'],
    ['jest.config.js', 'module.exports = { a: 1 '],
    ['jest.config.js', 'module.exports = { a: "x\n" };'],
    ['jest.config.js', 'export default function () { return {}; }'],
    ['jest.config.js', 'export default async () =>\n{ await = 1 }'],
    ['jest.config.js', 'module.exports = () => {\n  if (x) return {};\n  return {};\n};'],
    ['jest.config.js', 'const a = () \n=> 1;'],
    ['jest.config.js', 'module.exports = { let };'],
    ['jest.config.ts', 'type C = {};\nexport default {};'],
    ['vite.config.ts', 'export default { a: new URL };'],
    ['vite.config.ts', 'export default { a: new.target };'],
    ['vite.config.ts', 'export default { a: new Map<string, string>() };'],
    ['vite.config.ts', 'export default { a: import.meta[x] };'],
    ['vite.config.ts', 'export default { a: import("x") };'],
    ['jest.config.ts', 'export default {} as unknown[];'],
    ['jest.config.ts', 'export default defineConfig<C>({});'],
    ['jest.config.json', '{ "a": 1, }'],
    ['jest.config.json', "{ 'a': 1 }"],
    ['jest.config.json', '{ "a": 01 }'],
    ['jest.config.json', '{ "a": 1_0 }'],
    ['jest.config.json', '// c\n{ "a": 1 }'],
    ['jest.config.json', '{ "a": "\\v" }'],
  ];
  for (const [name, text] of outside) assert.equal(parseLight(name, text), null, `${name}: ${JSON.stringify(text)}`);
});
