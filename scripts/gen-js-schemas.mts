// Generated option schemas for the JS runners (npm run schemas), from the installed runners themselves:
// - schemas/jest-config.schema.json: Jest's own JSON Schema of its config (`InitialOptions` in @jest/schemas),
//   plus the options Jest has removed (jest-config's deprecation table) with their replacements;
// - schemas/vitest-config.schema.json: the members of Vitest's `InlineConfig` (the `test` block), read from
//   its type declarations with the TypeScript API, plus the options Vitest 4 removed (its migration guide).
// - the same for the other majors netra-migrate knows (OTHER_MAJORS: Jest 29, Vitest 3 and 5), from the real
//   packages fetched from npm into a temporary directory: schemas/<runner>-<major>-config.schema.json. Options a
//   major dropped from the previous one's are its removed options (with the hand-written tables' messages).
// test/schemas.test.ts fails when the committed files differ from what this script writes (it runs with
// --installed-only, offline: the installed runners' schemas).
// To add a major: one line in OTHER_MAJORS. To add what a schema holds (nested options): extend jestSchema /
// vitestSchema, which every major goes through.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ts } from 'ts-morph';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const installedOnly = process.argv.includes('--installed-only');

/** Where a runner's packages come from: this package's node_modules (the installed major) or a fetched copy. */
interface Source {
  /** The directory holding node_modules/<pkg>. */
  dir: string;
}
const INSTALLED: Source = { dir: root };
const versionIn = (source: Source, pkg: string) =>
  (JSON.parse(readFileSync(join(source.dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Removed options: `replacement` is what takes their place; `rename` marks a mechanical move (the value
 * keeps its meaning under the new key), `wrap` one whose value becomes the single item of a list.
 */
type Removed = Record<string, { message: string; rename?: string; wrap?: string; drop?: true; nest?: [string, string] }>;

const jestRemoved: Removed = {
  browser: { message: 'removed: install "browser-resolve" and use the `resolver` option' },
  collectCoverageOnlyFrom: { message: 'replaced by `collectCoverageFrom` (globs, not a map of paths)' },
  extraGlobals: { message: 'replaced by `sandboxInjectedGlobals`', rename: 'sandboxInjectedGlobals' },
  init: { message: 'removed: use the create-jest package' },
  moduleLoader: { message: 'replaced by `runtime`', rename: 'runtime' },
  preprocessorIgnorePatterns: { message: 'replaced by `transformIgnorePatterns`', rename: 'transformIgnorePatterns' },
  scriptPreprocessor: { message: 'replaced by `transform` (a map of patterns to transformers)' },
  setupTestFrameworkScriptFile: { message: 'replaced by `setupFilesAfterEnv`, a list', wrap: 'setupFilesAfterEnv' },
  testPathDirs: { message: 'replaced by `roots`', rename: 'roots' },
  testPathPattern: { message: 'replaced by the `--testPathPatterns` command-line option (not a config key)' },
  testURL: { message: 'replaced by `testEnvironmentOptions.url`', nest: ['testEnvironmentOptions', 'url'] },
  timers: { message: 'replaced by `fakeTimers` (an object, not a string)' },
};

const vitestRemoved: Removed = {
  workspace: { message: 'removed in Vitest 4: renamed to `projects`', rename: 'projects' },
  poolOptions: {
    message:
      'removed in Vitest 4: its options moved to the top of the `test` block (`execArgv`, `isolate`, `maxWorkers`, `vmMemoryLimit`); Vitest ignores it',
  },
  maxThreads: { message: 'removed: use `maxWorkers`', rename: 'maxWorkers' },
  maxForks: { message: 'removed: use `maxWorkers`', rename: 'maxWorkers' },
  minThreads: { message: 'removed in Vitest 4 (only `maxWorkers` decides how many workers run)', drop: true },
  minForks: { message: 'removed in Vitest 4 (only `maxWorkers` decides how many workers run)', drop: true },
  minWorkers: { message: 'removed in Vitest 4 (only `maxWorkers` decides how many workers run)', drop: true },
  singleThread: { message: 'removed: use `maxWorkers: 1, isolate: false`' },
  singleFork: { message: 'removed: use `maxWorkers: 1, isolate: false`' },
  poolMatchGlobs: { message: 'removed in Vitest 4: use `projects` with their own `pool`' },
  environmentMatchGlobs: { message: 'removed in Vitest 4: use `projects` with their own `environment`' },
};

/** `name` is the file name; `runnerVersion` what the title says (Jest's own version, or @jest/schemas' for a fetched major). */
function jestSchema(source: Source, name: string, runnerVersion: string, removed: Removed) {
  const require = createRequire(join(source.dir, 'package.json'));
  const { InitialOptions } = require('@jest/schemas') as { InitialOptions: { properties: Record<string, unknown> } };
  const properties = JSON.parse(JSON.stringify(InitialOptions.properties)) as Record<string, unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://netra-migrate.dev/schemas/${name}`,
    title: `Jest ${runnerVersion} configuration`,
    description: `Generated by scripts/gen-js-schemas.mts from @jest/schemas ${versionIn(source, '@jest/schemas')} (InitialOptions) and jest-config's deprecation table.`,
    type: 'object',
    properties,
    'x-removed': removed,
  };
}

/**
 * Jest before 30 (@jest/schemas had no InitialOptions yet): the members of `InitialOptions` in @jest/types'
 * declarations, by name (their types are TypeScript's, not a JSON Schema).
 */
function jestTypesSchema(source: Source, name: string, removed: Removed) {
  const file = join(source.dir, 'node_modules', '@jest', 'types', 'build', 'index.d.ts');
  const declarations = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const properties: Record<string, object> = {};
  declarations.forEachChild((node) => {
    if (!ts.isTypeAliasDeclaration(node) || node.name.text !== 'InitialOptions') return;
    const partial = node.type;
    const literal = ts.isTypeReferenceNode(partial) ? partial.typeArguments?.[0] : undefined;
    if (!literal || !ts.isTypeLiteralNode(literal)) throw new Error('InitialOptions is not Partial<{...}>');
    for (const member of literal.members) if (member.name && ts.isIdentifier(member.name)) properties[member.name.text] = {};
  });
  if (Object.keys(properties).length === 0) throw new Error(`InitialOptions not found in ${file}`);
  const version = versionIn(source, '@jest/types');
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://netra-migrate.dev/schemas/${name}`,
    title: `Jest ${version} configuration`,
    description: `Generated by scripts/gen-js-schemas.mts from the InitialOptions type of @jest/types ${version} (option names only) and jest-config's deprecation table.`,
    type: 'object',
    properties: Object.fromEntries(Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : 1))),
    'x-removed': removed,
  };
}

function vitestSchema(source: Source, name: string, removed: Removed) {
  const version = versionIn(source, 'vitest');
  const dir = join(source.dir, 'node_modules', 'vitest', 'dist', 'chunks');
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
    .find((f) => readFileSync(f, 'utf8').includes('interface InlineConfig {'));
  if (!file) throw new Error('InlineConfig not found in vitest/dist/chunks');
  const declarations = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const properties: Record<string, { description?: string; deprecated?: string }> = {};
  declarations.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'InlineConfig') return;
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !member.name || !ts.isIdentifier(member.name)) continue;
      const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
      const text = docs
        .map((d) => ts.getTextOfJSDocComment(d.comment) ?? '')
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim();
      const deprecated = ts.getJSDocDeprecatedTag(member);
      properties[member.name.text] = {
        ...(text ? { description: text.split(/(?<=\.)\s/)[0] } : {}),
        ...(deprecated ? { deprecated: ts.getTextOfJSDocComment(deprecated.comment) ?? 'deprecated' } : {}),
      };
    }
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://netra-migrate.dev/schemas/${name}`,
    title: `Vitest ${version} test options (the \`test\` block)`,
    description: `Generated by scripts/gen-js-schemas.mts from the InlineConfig interface of vitest ${version}, and the options it removed (its migration guide).`,
    type: 'object',
    properties,
    'x-removed': removed,
  };
}

/**
 * Jest options read only from the root config of a `projects` run: jest-config's own GLOBAL_ONLY_OPTIONS
 * (the keys of `initialOptions` that `initialProjectOptions` lacks; a project that sets one gets "not
 * supported in an individual project configuration"), read from its build with the TypeScript parser,
 * plus `testTimeout`, which projects may write but jest-circus takes from the global config.
 */
function jestRootOnly(): string[] {
  const file = require.resolve('jest-config'); // its main: build/index.js
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const keysOf: Record<string, string[]> = {};
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      (node.name.text === 'initialOptions' || node.name.text === 'initialProjectOptions')
    ) {
      let init = node.initializer;
      while (init && ts.isBinaryExpression(init)) init = init.right;
      if (init && ts.isObjectLiteralExpression(init))
        keysOf[node.name.text] = init.properties.flatMap((p) =>
          p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? [p.name.text] : [],
        );
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const all = keysOf.initialOptions;
  const project = new Set(keysOf.initialProjectOptions);
  if (!all || project.size === 0) throw new Error('initialOptions / initialProjectOptions not found in jest-config');
  return [...new Set([...all.filter((k) => !project.has(k)), 'testTimeout'])].sort();
}

/** Nested options Vitest removed (the migration guide), by dotted path. */
const vitestNestedRemoved: Removed = {
  'coverage.all': { message: 'removed in Vitest 4: coverage reports only the files tests load unless `coverage.include` lists the others' },
  'coverage.extension': { message: 'removed in Vitest 4: list the files in `coverage.include`' },
};

/**
 * The keys of the `test` block's object-valued options (`coverage`, `browser`, `sequence`, ...), from
 * Vitest's types through the type checker (unions of provider-specific options merged). An option whose
 * type has an index signature (`environmentOptions`) is open: left out, so every key is accepted.
 */
function vitestNested(): Record<string, string[]> {
  const entry = join(root, 'node_modules', '.netra-vitest-nested.ts');
  const text = "import type { InlineConfig } from 'vitest/node';\nexport declare const config: InlineConfig;\n";
  const host = ts.createCompilerHost({});
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (f, language, ...rest) =>
    f === entry ? ts.createSourceFile(f, text, language) : getSourceFile(f, language, ...rest);
  host.fileExists = (f) => f === entry || fileExists(f);
  const program = ts.createProgram(
    [entry],
    {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      noEmit: true,
      types: [],
    },
    host,
  );
  const checker = program.getTypeChecker();
  let config: ts.Type | undefined;
  program.getSourceFile(entry)!.forEachChild((n) => {
    if (ts.isVariableStatement(n)) config = checker.getTypeAtLocation(n.declarationList.declarations[0]!.name);
  });
  if (!config) throw new Error('InlineConfig not resolved from vitest/node');
  const nested: Record<string, string[]> = {};
  for (const option of config.getProperties()) {
    const type = checker.getNonNullableType(checker.getTypeOfSymbol(option));
    const objects = (type.isUnion() ? type.types : [type]).filter(
      (t) =>
        (t.flags & ts.TypeFlags.Object) !== 0 && !checker.isArrayType(t) && !checker.isTupleType(t) && t.getCallSignatures().length === 0,
    );
    if (objects.length === 0 || objects.some((o) => checker.getIndexInfosOfType(o).length > 0)) continue;
    nested[option.name] = [...new Set(objects.flatMap((o) => checker.getPropertiesOfType(o).map((p) => p.name)))].sort();
  }
  return nested;
}

type Schema = { properties: Record<string, unknown>; 'x-removed': Removed };

/** Options the previous major had and this one does not: removed (a hand-written message wins). */
function droppedSince(previous: Schema, current: Schema, major: number, runner: string): Removed {
  const out: Removed = {};
  for (const key of Object.keys(previous.properties)) {
    if (!(key in current.properties) && !(key in current['x-removed'])) out[key] = { message: `removed in ${runner} ${major}` };
  }
  return out;
}

function write(name: string, schema: object) {
  writeFileSync(join(root, 'schemas', name), JSON.stringify(schema, null, 2) + '\n');
  process.stdout.write(`wrote schemas/${name}\n`);
}

/** Fetch packages from npm into a temporary directory (the runner's own dependencies are not needed to read its types). */
function fetchPackages(specs: string[]): Source {
  const dir = mkdtempSync(join(tmpdir(), 'netra-js-schemas-'));
  writeFileSync(join(dir, 'package.json'), '{"private": true}\n');
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-package-lock',
      '--ignore-scripts',
      '--omit=peer',
      '--no-audit',
      '--no-fund',
      '--legacy-peer-deps',
      ...specs,
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return { dir };
}

// The installed majors also carry what only they are read for: Jest's root-only options, Vitest's nested ones.
const jest30 = {
  ...jestSchema(INSTALLED, 'jest-config.schema.json', versionIn(INSTALLED, 'jest'), jestRemoved),
  'x-root-only': jestRootOnly(),
};
const vitest4 = {
  ...vitestSchema(INSTALLED, 'vitest-config.schema.json', vitestRemoved),
  'x-nested': vitestNested(),
  'x-nested-removed': vitestNestedRemoved,
};
write('jest-config.schema.json', jest30);
write('vitest-config.schema.json', vitest4);

/** The other majors: [file, packages to fetch, how to build the schema]. */
const OTHER_MAJORS: [string, string[], (source: Source, name: string) => object][] = [
  ['jest-29-config.schema.json', ['@jest/types@29'], (source, name) => jestTypesSchema(source, name, jestRemoved)],
  ['vitest-3-config.schema.json', ['vitest@3'], (source, name) => vitestSchema(source, name, {})],
  [
    'vitest-5-config.schema.json',
    ['vitest@5'],
    (source, name) => {
      const schema = vitestSchema(source, name, vitestRemoved);
      return { ...schema, 'x-removed': { ...vitestRemoved, ...droppedSince(vitest4, schema, 5, 'Vitest') } };
    },
  ],
];
if (!installedOnly) {
  for (const [name, specs, build] of OTHER_MAJORS) {
    const source = fetchPackages(specs);
    try {
      write(name, build(source, name));
    } finally {
      rmSync(source.dir, { recursive: true, force: true });
    }
  }
}
