/**
 * What spares a run work at start-up stays true to what it stands in for: the memory monitor's recorded
 * plugin reading (what `fix` learns from the plugin it installs) is what the Python reader reads from it, and
 * the quick reader of plain check/fix command lines reads what yargs reads.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './support/env.js';
import { readPluginModule } from '../src/formats/python-static.js';
import { MONITOR_READING } from '../src/generated/monitor.js';
import { monitorText } from '../src/monitor/stamp.js';
import { quickParse } from '../src/cli-args.js';
import { checkOptions, checkPaths, fixOptions, fixPaths, globalOptions } from '../src/cli-options.js';

test("the memory monitor's recorded plugin reading is current and is what readPluginModule reads", async () => {
  const source = readFileSync(join(ROOT, 'src', 'monitor', 'pytest_memory_plugin.py'), 'utf8');
  const recorded = JSON.parse(readFileSync(join(ROOT, 'src', 'monitor', 'pytest_memory_plugin.reading.json'), 'utf8')) as {
    sha256: string;
    reading: unknown;
  };
  const read = await readPluginModule(monitorText());
  assert.equal(
    recorded.sha256,
    createHash('sha256').update(source).digest('hex'),
    `the plugin changed: record its reading again, ${JSON.stringify({ sha256: createHash('sha256').update(source).digest('hex'), reading: read })}`,
  );
  assert.deepEqual(recorded.reading, read);
  assert.deepEqual(MONITOR_READING, read);
  assert.ok(read.keys.includes('memory_limit_mb'), 'the reading names the keys the plugin registers');
});

test('the quick reader of plain check/fix lines reads what yargs reads, and leaves it every other line', async () => {
  const { default: yargs } = await import('yargs');
  const commands = { check: checkOptions, fix: fixOptions };
  const viaYargs = (args: string[]) =>
    yargs(args)
      .command('check [paths..]', '', (y) => y.positional('paths', checkPaths).options(checkOptions))
      .command('fix [paths..]', '', (y) => y.positional('paths', fixPaths).options(fixOptions))
      .options(globalOptions)
      .strict()
      .exitProcess(false)
      .fail((message) => {
        throw new Error(message);
      })
      .parseSync() as Record<string, unknown>;
  const answered = [
    ['check'],
    ['check', 'pytest.ini'],
    ['check', 'a.ini', 'b/jest.config.js', '--format', 'json'],
    ['check', '--format=compact', '--max-warnings', '3', 'x'],
    ['check', '-f', 'sarif', '--no-cache', '--stats', '--show-files'],
    ['check', '--rule', 'require-timeout:off', 'p', '--rule', '{"single-test-root": "warn"}'],
    ['check', '--python', '.venv/bin/python', '--no-ignore', '--color'],
    ['check', '--no-color', '--max-warnings=-1'],
    ['fix'],
    ['fix', '--write', '--unsafe', 'pytest.ini'],
    ['fix', '-w', '--profile', 'docker', '--profile', 'collection', '-f', 'json'],
    ['fix', '--rule=require-timeout:off', '.', 'sub'],
  ];
  for (const args of answered) {
    const quick = quickParse(args, commands, globalOptions);
    assert.ok(quick, `read quickly: ${args.join(' ')}`);
    const full = viaYargs(args);
    for (const name of new Set([...Object.keys(commands[args[0] as 'check' | 'fix']), ...Object.keys(globalOptions), 'paths']))
      assert.deepEqual(quick.argv[name], full[name], `${args.join(' ')}: ${name}`);
  }
  const left = [
    [],
    ['--help'],
    ['check', '--help'],
    ['--version'],
    ['rules'],
    ['explain', 'x'],
    ['print-config', 'a.py'],
    ['check', '--bogus'],
    ['check', '--format', 'nope'],
    ['check', '--format'],
    ['check', '--max-warnings', 'x'],
    ['check', '--max-warnings', '-1'],
    ['check', '--format', 'json', '--format', 'compact'],
    ['check', '--stats', 'false'],
    ['check', '--stats=true'],
    ['check', '--no-format'],
    ['check', '--', '-file'],
    ['check', '-'],
    ['check', '-fw'],
    ['check', '-w'],
    ['check', '--maxWarnings', '3'],
    ['fix', '--profile', 'nope'],
  ];
  for (const args of left) assert.equal(quickParse(args, commands, globalOptions), null, args.join(' '));
});

/**
 * A project whose node_modules/big holds `modules`, and a script that loads them through requireWithCodeCache
 * (`body`: its lines after the imports; `load(path)` requires node_modules/big/<path>). Returns the directory and
 * a runner of the script (arguments passed through; the exit status checked).
 */
function codeCacheProject(t: TestContext, modules: Record<string, string>, body: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'netra-code-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'node_modules', 'big'), { recursive: true });
  for (const [name, text] of Object.entries(modules)) writeFileSync(join(dir, 'node_modules', 'big', name), text);
  const script = join(dir, 'load.mts');
  writeFileSync(
    script,
    [
      `import { createRequire } from 'node:module';`,
      `import { requireWithCodeCache } from ${JSON.stringify(join(ROOT, 'src', 'core', 'code-cache.ts'))};`,
      `import { setV8Flag } from ${JSON.stringify(join(ROOT, 'src', 'core', 'v8-flags.ts'))};`,
      `const load = (f: string) => requireWithCodeCache(createRequire(${JSON.stringify(join(dir, 'x.js'))}), ${JSON.stringify(join(dir, 'node_modules', 'big'))} + '/' + f, /big/) as Record<string, unknown>;`,
      ...body,
    ].join('\n'),
  );
  const run = (...args: string[]) => {
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [script, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  return { dir, run };
}

test("the TypeScript compiler's code cache is kept per set of V8 flags a run changed, so neither kind of run rejects the other's", (t) => {
  // A run that parses a little Python sets --liftoff-only before or after it loads the compiler.
  const { dir, run } = codeCacheProject(t, { 'index.js': 'exports.answer = function () { return 42; };\n' }, [
    `const when = process.argv[2];`,
    `if (when === 'before') setV8Flag('--liftoff-only');`,
    `const m = load('index.js') as { answer: () => number };`,
    `if (when === 'after') setV8Flag('--liftoff-only');`,
    `if (m.answer() !== 42) process.exit(1);`,
  ]);
  const cacheDir = join(dir, 'node_modules', '.cache', 'netra-migrate');
  const load = (when: string) => {
    run(when);
    return existsSync(cacheDir) ? readdirSync(cacheDir).sort() : [];
  };
  const stamp = () => Object.fromEntries(readdirSync(cacheDir).map((f) => [f, statSync(join(cacheDir, f)).mtimeMs]));
  const version = `${process.version}.${process.arch}`;
  assert.deepEqual(load('never'), [`big+index.js.${version}.v8cache`]);
  assert.deepEqual(load('before'), [`big+index.js.${version}.liftoff-only.v8cache`, `big+index.js.${version}.v8cache`]);
  // Flags changed after the load: V8 would tag the cache with them; nothing is written.
  rmSync(cacheDir, { recursive: true });
  assert.deepEqual(load('after'), []);
  load('never');
  load('before');
  const written = stamp();
  // Each kind of run now reads its own file and accepts it: nothing is written again.
  for (const when of ['never', 'before', 'never', 'before']) load(when);
  assert.deepEqual(stamp(), written);
});

test('a large module is read as Latin-1 only when it is ASCII: a UTF-8 one keeps its characters', (t) => {
  const { run } = codeCacheProject(t, { 'ascii.js': "exports.word = 'cafe';\n", 'utf8.js': "exports.word = 'caf\u00e9 \u2713';\n" }, [
    `process.stdout.write(JSON.stringify([load('ascii.js').word, load('utf8.js').word]));`,
  ]);
  for (let i = 0; i < 2; i++) assert.deepEqual(JSON.parse(run()), ['cafe', 'caf\u00e9 \u2713']);
});
