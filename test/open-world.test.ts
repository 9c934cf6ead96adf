/**
 * Open world: flags, ini keys and marks of plugins the project declares, or its conftest.py and local
 * plugin modules register, are known; those of a registry plugin the project does not declare are errors
 * naming the plugin, with no fix; those nobody can vouch for are warnings, with no fix. The registry is a
 * small one injected here (facts.md §7), so the test does not depend on the generated data.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, fix } from '../src/index.js';
import type { PluginRecord } from '../src/runners/pytest/plugin-record.js';
import { withPluginRecords } from '../src/runners/pytest/plugins.js';
import { allRules } from '../src/rules.js';
import { copyToTemp, ROOT, runCli, tempDir } from './support/env.js';

const REGISTRY: PluginRecord[] = [
  {
    distribution: 'pytest-django',
    version: '4.9.0',
    entryPoints: [{ name: 'django', module: 'pytest_django.plugin' }],
    flags: [
      { names: ['--ds'], value: 'required' },
      { names: ['--reuse-db'], value: 'none' },
    ],
    keys: { DJANGO_SETTINGS_MODULE: 'string' },
    markers: ['django_db'],
    source: 'test',
  },
  {
    distribution: 'pytest-socket',
    version: '0.7.0',
    entryPoints: [{ name: 'socket', module: 'pytest_socket' }],
    flags: [
      { names: ['--disable-socket'], value: 'none' },
      { names: ['--allow-hosts'], value: 'required' },
      { names: ['--allow-unix-socket'], value: 'none' },
    ],
    keys: {},
    markers: ['disable_socket', 'enable_socket', 'allow_hosts'],
    source: 'test',
  },
  {
    distribution: 'pytest-recording',
    version: '0.13.2',
    entryPoints: [{ name: 'recording', module: 'pytest_recording.plugin' }],
    flags: [{ names: ['--record-mode'], value: 'required' }],
    keys: {},
    markers: ['vcr', 'block_network'],
    source: 'test',
  },
  {
    distribution: 'anyio',
    version: '4.6.0',
    entryPoints: [{ name: 'anyio', module: 'anyio.pytest_plugin' }],
    flags: [],
    keys: {},
    markers: ['anyio'],
    source: 'test',
  },
  {
    distribution: 'celery',
    version: '5.4.0',
    entryPoints: [{ name: 'celery', module: 'celery.contrib.pytest' }],
    flags: [],
    keys: {},
    markers: ['celery'],
    source: 'test',
  },
];

const OPEN_WORLD = join(ROOT, 'fixtures', 'open-world');
const RULES = { 'known-options': 'error', 'registered-markers': 'error' } as const;

async function findings(name: string) {
  const work = copyToTemp(join(OPEN_WORLD, name));
  const result = await withPluginRecords(REGISTRY, () => check({ cwd: work, paths: ['.'], toolConfig: false }));
  assert.deepEqual(result.problems, []);
  const shown = result.diagnostics
    .filter((d) => d.rule in RULES)
    .map((d) => ({
      file: d.file.slice(work.length + 1),
      line: d.line,
      rule: d.rule,
      severity: d.severity,
      messageId: d.messageId,
      data: d.data,
      fix: d.fix?.applicability ?? null,
    }));
  return { work, shown, messages: result.diagnostics.filter((d) => d.rule in RULES).map((d) => d.message) };
}

describe("open world: flags, keys and marks of the project's plugins", () => {
  test('pytest-django declared: --ds, --reuse-db and django_db are known', async () => {
    assert.deepEqual((await findings('django')).shown, []);
  });

  test('pytest-django not declared: errors naming the plugin and where dependencies were looked, no fix', async () => {
    const { shown, messages } = await findings('django-undeclared');
    const undeclared = { plugin: 'pytest-django', where: 'pyproject.toml' };
    assert.deepEqual(shown, [
      {
        file: 'pytest.ini',
        line: 2,
        rule: 'known-options',
        severity: 'error',
        messageId: 'undeclaredFlag',
        data: { flag: '--ds', ...undeclared },
        fix: null,
      },
      {
        file: 'pytest.ini',
        line: 2,
        rule: 'known-options',
        severity: 'error',
        messageId: 'undeclaredFlag',
        data: { flag: '--reuse-db', ...undeclared },
        fix: null,
      },
      {
        file: 'tests/test_orders.py',
        line: 4,
        rule: 'registered-markers',
        severity: 'error',
        messageId: 'undeclared',
        data: { name: 'django_db', uses: 'used once', ...undeclared },
        fix: null,
      },
    ]);
    // The wording is the point here: the error says what pytest will do without the plugin.
    assert.equal(
      messages[0],
      '`--ds` in addopts needs pytest-django, which the project does not declare in pyproject.toml: without it pytest stops with "unrecognized arguments" (exit 4)',
    );
    assert.match(
      messages[2]!,
      /: without it, strict markers stop collection \("'django_db' not found in `markers` configuration option"\)$/,
    );
  });

  test('anyio declared: its mark is known; celery (a package with a plugin beside its purpose) not listed: a warning, only the safe register fix', async () => {
    const { shown } = await findings('anyio');
    assert.deepEqual(shown, [
      {
        file: 'tests/test_client.py',
        line: 10,
        rule: 'registered-markers',
        severity: 'warning',
        messageId: 'unverifiable',
        data: {
          name: 'celery',
          uses: 'used once',
          config: 'pytest.ini',
          why: "it belongs to celery's pytest plugin, which requirements-dev.txt does not list directly (it may come in through another dependency)",
        },
        // Registering a mark removes nothing, so the safe fix stays.
        fix: 'safe',
      },
    ]);
  });

  test('pytest-socket and pytest-recording in a uv dependency group: their flags are known', async () => {
    assert.deepEqual((await findings('socket')).shown, []);
  });

  test('a plugin absent from the registry: its flag, key and mark are warnings that cannot be verified, and fix --unsafe removes nothing (it only registers the mark)', async () => {
    const { work, shown } = await findings('unregistered-plugin');
    assert.deepEqual(
      shown.map((f) => [f.file, f.line, f.severity, f.fix, f.messageId]),
      [
        ['pytest.ini', 2, 'warning', null, 'unverifiableFlag'],
        ['pytest.ini', 3, 'warning', null, 'unverifiableKey'],
        ['tests/test_frob.py', 4, 'warning', 'safe', 'unverifiable'],
      ],
    );
    assert.deepEqual(shown[0]!.data, {
      flag: '--frob-level',
      why: 'no plugin netra-migrate knows registers it, and the project declares pytest-frobnicate, which netra-migrate has no record of',
    });
    const before = readFileSync(join(work, 'pytest.ini'), 'utf8').split('\n').filter(Boolean);
    const rules = Object.fromEntries(allRules.map((r) => [r.meta.id, r.meta.id in RULES ? 'error' : 'off'] as const));
    await withPluginRecords(REGISTRY, () => fix({ cwd: work, paths: ['.'], toolConfig: false, unsafe: true, write: true, rules }));
    // Every line stays (the flag, the key); the only change is the mark registered.
    const after = readFileSync(join(work, 'pytest.ini'), 'utf8').split('\n').filter(Boolean);
    assert.deepEqual(
      after.filter((l) => !before.includes(l)),
      ['markers =', '    frob'],
    );
    assert.deepEqual(
      before.filter((l) => !after.includes(l)),
      [],
    );
  });

  test('options, ini keys and marks registered by conftest.py and a pytest_plugins module are known', async () => {
    assert.deepEqual((await findings('conftest-registered')).shown, []);
  });

  test('every declared plugin known: unknown flag, misspelt key and mark are reported as before', async () => {
    const { shown } = await findings('closed-world');
    assert.deepEqual(
      shown.map((f) => [f.file, f.line, f.severity, f.fix, f.messageId, f.data]),
      [
        ['pyproject.toml', 9, 'error', 'unsafe', 'unknownFlag', { flag: '--no-such-flag' }],
        [
          'pyproject.toml',
          10,
          'warning',
          'unsafe',
          'unknownKeySuggest',
          {
            key: 'timout',
            suggestion: 'timeout',
            plugins: 'pytest-asyncio, pytest-cov, pytest-memory-plugin, pytest-timeout, pytest-xdist',
          },
        ],
        ['tests/test_x.py', 4, 'error', 'safe', 'unregistered', { name: 'slwo', config: 'pyproject.toml' }],
      ],
    );
  });
});

describe('--python and a project venv: installed plugins, read without running anything', () => {
  /** A venv whose site-packages holds hand-written metadata: pytest-django with its pytest11 entry point. */
  function makeVenv(at: string, django = true): { python: string; marker: string } {
    // The interpreter the tests ask by its real path (scripts/test.mjs), not a version manager's shim.
    const r = spawnSync(process.env.NETRA_PYTHON || 'python3', ['-m', 'venv', '--without-pip', at], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const python = join(at, 'bin', 'python');
    // With `site` on, the venv's own site-packages (this empty venv has no .pth file yet).
    const site = spawnSync(python, ['-I', '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], {
      encoding: 'utf8',
    }).stdout.trim();
    assert.ok(site.startsWith(at), `${site} is not inside the venv`);
    const info = join(site, django ? 'pytest_django-4.9.0.dist-info' : 'pytest_other-1.0.dist-info');
    mkdirSync(info, { recursive: true });
    writeFileSync(
      join(info, 'METADATA'),
      django ? 'Metadata-Version: 2.1\nName: pytest-django\nVersion: 4.9.0\n' : 'Metadata-Version: 2.1\nName: requests\nVersion: 2.32.0\n',
    );
    if (django) writeFileSync(join(info, 'entry_points.txt'), '[pytest11]\ndjango = pytest_django.plugin\n');
    // A .pth line that runs code if `site` processes it: reading the environment must not.
    const marker = join(at, 'pth-ran');
    writeFileSync(join(site, 'evil.pth'), `import os; open(${JSON.stringify(marker)}, "w").close()\n`);
    return { python, marker };
  }

  test('--python: pytest-django installed there makes --ds and django_db known; no .pth file runs', async () => {
    const work = copyToTemp(join(OPEN_WORLD, 'django-undeclared'));
    const { python, marker } = makeVenv(join(tempDir('netra-env-'), 'env'));
    const result = await withPluginRecords(REGISTRY, () => check({ cwd: work, paths: ['.'], toolConfig: false, python }));
    assert.deepEqual(result.problems, []);
    assert.deepEqual(
      result.diagnostics.filter((d) => d.rule in RULES),
      [],
    );
    assert.equal(existsSync(marker), false, 'a .pth file ran');
  });

  test('a .venv/ in the project is read without --python', async () => {
    const work = copyToTemp(join(OPEN_WORLD, 'django-undeclared'));
    makeVenv(join(work, '.venv'));
    const result = await withPluginRecords(REGISTRY, () => check({ cwd: work, paths: ['.'], toolConfig: false }));
    assert.deepEqual(
      result.diagnostics.filter((d) => d.rule in RULES),
      [],
    );
  });

  test('an installed environment without pytest-django: --ds is an error naming the plugin and the environment, no fix', async () => {
    const work = copyToTemp(join(OPEN_WORLD, 'django-undeclared'));
    const { python } = makeVenv(join(tempDir('netra-env-'), 'env'), false);
    const result = await withPluginRecords(REGISTRY, () => check({ cwd: work, paths: ['.'], toolConfig: false, python }));
    const ds = result.diagnostics.find((d) => d.data?.flag === '--ds')!;
    assert.equal(ds.severity, 'error');
    assert.equal(ds.fix, undefined);
    assert.equal(ds.messageId, 'undeclaredFlag');
    assert.deepEqual(ds.data, { flag: '--ds', plugin: 'pytest-django', where: `the environment of ${python} and pyproject.toml` });
  });

  test('a --python that cannot run: one clear problem, exit 2 from the CLI', () => {
    const work = copyToTemp(join(OPEN_WORLD, 'django'));
    const r = runCli(['check', '--python', './no/such/python', '.'], work);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr + r.stdout, /cannot read the installed packages of .*no\/such\/python/);
  });
});
