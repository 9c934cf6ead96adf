/**
 * What spares a run work at start-up stays true to what it stands in for: the memory monitor's recorded
 * plugin reading (what `fix` learns from the plugin it installs) is what the Python reader reads from it, and
 * the quick reader of plain check/fix command lines reads what yargs reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
