/**
 * The pytest plugin registry (schemas/pytest-plugins.json): what scripts/gen-plugin-registry.py reads from
 * a plugin's own source, the committed data's shape and key facts, its agreement with the schemas generated
 * from installed plugins, and drift against the sources where they are on this machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PluginRecord } from '../src/runners/pytest/plugin-record.js';
import { PYTHON, ROOT, writeTree } from './support/env.js';

const GENERATOR = join(ROOT, 'scripts', 'gen-plugin-registry.py');
// The generator needs only the standard library (ast, tomllib): the test venv's Python or the system's.
const python = existsSync(PYTHON) ? PYTHON : 'python3';

interface Extracted {
  record: Omit<PluginRecord, 'source'>;
  notes: string[];
}

function extractTree(files: Record<string, string>, distribution: string, modules: string[] = []): Extracted {
  const dir = writeTree(files, 'netra-plugin-src-');
  const args = [GENERATOR, '--tree', dir, '--distribution', distribution, ...modules.flatMap((m) => ['--module', m])];
  const r = spawnSync(python, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Extracted;
}

function flag(record: Extracted['record'], name: string) {
  return record.flags.find((f) => f.names.includes(name));
}

const committed = JSON.parse(readFileSync(join(ROOT, 'schemas', 'pytest-plugins.json'), 'utf8')) as PluginRecord[];
const byName = new Map(committed.map((r) => [r.distribution, r]));

test('extraction: addoption forms, arity, choices, constants, loops and a helper with a prefix', () => {
  const { record, notes } = extractTree(
    {
      'pyproject.toml':
        '[project]\nname = "pytest_Demo.Plugin"\nversion = "1.2.3"\n\n[project.entry-points.pytest11]\ndemo = "pytest_demo.plugin:Plugin"\n',
      'src/pytest_demo/__init__.py': '',
      'src/pytest_demo/names.py': 'SETTINGS_FLAG = "--demo-settings"\n',
      'src/pytest_demo/plugin.py': [
        'from .names import SETTINGS_FLAG',
        'MODES = ("fast", "slow")',
        '',
        'def add_report_options(addoption, prefix="demo-"):',
        '    addoption(f"--{prefix}report", *[] if prefix else ["-r"], action="store")',
        '    if not prefix:',
        '        addoption("--cli-only", action="store_true")',
        '',
        "# Only a command line of its own calls this one: its options are not pytest's.",
        'def add_cli_options(addoption, prefix="demo-"):',
        '    addoption(f"--{prefix}csv")',
        '',
        'def main(argparser):',
        '    add_cli_options(argparser.add_argument, prefix="")',
        '',
        'def pytest_addoption(parser):',
        '    group = parser.getgroup("demo")',
        '    group.addoption(SETTINGS_FLAG, "--ds", action="store", dest="ds")',
        '    group._addoption("-D", "--demo-debug", action="store_true")',
        '    parser.getgroup("x").addoption("--demo-level", action="count")',
        '    parser.addoption("--demo-cov", nargs="?", const=True)',
        '    parser.addoption("--demo-mode", choices=MODES, default="fast")',
        '    parser.addoption("--demo-list", nargs="*")',
        '    for name in ("--demo-a", "--demo-b"):',
        '        parser.addoption(name, action="store_false")',
        '    option = "demo-path"',
        '    parser.addoption(f"--{option}")',
        '    add_report_options(group.addoption)',
        '    parser.addini("demo_string", "help")',
        '    parser.addini("demo_flag", "help", type="bool", default=False)',
        '    parser.addini("demo_lines", "help", "linelist")',
        '    parser.addini("demo_none", help="h", type=None)',
        '',
        '# Registered late, from another hook; `parser` is then rebound to a value parser (pytest-logger).',
        'def _late_addoptions(parser, cfg):',
        '    group = parser.getgroup("late")',
        '    parser = make_value_parser(cfg)',
        '    group.addoption("--demo-late", type=parser)',
        '',
        'def pytest_load_initial_conftests(early_config, parser, args):',
        '    _late_addoptions(parser, early_config)',
        '',
        'def pytest_configure(config):',
        '    config.addinivalue_line("markers", "demo_db(transaction=False): use the database")',
        '    config.addinivalue_line("markers", "demo_slow: a slow test")',
        '    name = "demo_tag"',
        '    config.addinivalue_line("markers", f"{name}: tagged")',
        '',
      ].join('\n'),
      // Test code calls addoption too: it is not what the installed plugin registers.
      'tests/conftest.py': 'def pytest_addoption(parser):\n    parser.addoption("--only-in-tests")\n',
    },
    'pytest_Demo.Plugin',
  );
  assert.deepEqual(notes, []);
  assert.equal(record.distribution, 'pytest-demo-plugin');
  assert.equal(record.version, '1.2.3');
  assert.deepEqual(record.entryPoints, [{ name: 'demo', module: 'pytest_demo.plugin' }]);
  assert.deepEqual(flag(record, '--ds'), { names: ['--demo-settings', '--ds'], value: 'required' });
  assert.deepEqual(flag(record, '-D'), { names: ['--demo-debug', '-D'], value: 'none' });
  assert.equal(flag(record, '--demo-level')?.value, 'none');
  assert.equal(flag(record, '--demo-cov')?.value, 'optional');
  assert.equal(flag(record, '--demo-list')?.value, 'optional');
  assert.deepEqual(flag(record, '--demo-mode'), { names: ['--demo-mode'], value: 'required', choices: ['fast', 'slow'] });
  assert.equal(flag(record, '--demo-a')?.value, 'none');
  assert.equal(flag(record, '--demo-b')?.value, 'none');
  assert.equal(flag(record, '--demo-path')?.value, 'required');
  // The helper's default prefix, through the addoption it is given; the prefix-less branch is not taken.
  assert.deepEqual(flag(record, '--demo-report'), { names: ['--demo-report'], value: 'required' });
  assert.equal(flag(record, '--cli-only'), undefined);
  assert.equal(flag(record, '--demo-late')?.value, 'required');
  assert.equal(flag(record, '--demo-csv'), undefined);
  assert.equal(flag(record, '--csv'), undefined);
  assert.equal(flag(record, '--only-in-tests'), undefined);
  assert.deepEqual(record.keys, { demo_flag: 'bool', demo_lines: 'linelist', demo_none: 'string', demo_string: 'string' });
  assert.deepEqual(record.markers, ['demo_db', 'demo_slow', 'demo_tag']);
});

test('extraction: entry points from setup.cfg, pbr setup.cfg and setup.py; unresolvable names are reported', () => {
  const plugin = 'def pytest_addoption(parser):\n    parser.addoption("--x-flag", action="store_true")\n';
  const cfg = extractTree(
    {
      'setup.cfg': '[metadata]\nname = pytest-x\nversion = 0.1\n\n[options.entry_points]\npytest11 =\n    x = pytest_x\n',
      'pytest_x.py': plugin,
    },
    'pytest-x',
  );
  assert.deepEqual(cfg.record.entryPoints, [{ name: 'x', module: 'pytest_x' }]);
  assert.equal(cfg.record.version, '0.1');
  assert.equal(flag(cfg.record, '--x-flag')?.value, 'none');

  const pbr = extractTree(
    { 'setup.cfg': '[metadata]\nname = pytest-x\n\n[entry_points]\npytest11 =\n    x = pytest_x\n', 'pytest_x.py': plugin },
    'pytest-x',
  );
  assert.deepEqual(pbr.record.entryPoints, [{ name: 'x', module: 'pytest_x' }]);

  const setupPy = extractTree(
    {
      'setup.py':
        'from setuptools import setup\nPLUGINS = ["x = pytest_x.main:plugin"]\nsetup(name="pytest-x", version="2.0", entry_points={"pytest11": PLUGINS})\n',
      'pytest_x/__init__.py': '',
      'pytest_x/main.py': 'from .opts import register\ndef pytest_addoption(parser):\n    register(parser)\n',
      'pytest_x/opts.py': 'def register(parser):\n    parser.addoption("--x-value", dest="v")\n    parser.addoption(compute_name())\n',
    },
    'pytest-x',
  );
  assert.deepEqual(setupPy.record.entryPoints, [{ name: 'x', module: 'pytest_x.main' }]);
  assert.equal(setupPy.record.version, '2.0');
  assert.equal(flag(setupPy.record, '--x-value')?.value, 'required');
  assert.equal(setupPy.notes.length, 1);
  assert.match(setupPy.notes[0]!, /pytest_x\/opts\.py:3: addoption name not a literal/);
  // The record says so: a flag it lacks may still be the plugin's.
  assert.deepEqual(setupPy.record.incomplete, ['flags']);
  assert.equal(cfg.record.incomplete, undefined);

  // A module loaded through `pytest_plugins` / `-p` (celery.contrib.pytest): no entry point, its marker kept.
  const loaded = extractTree(
    {
      'setup.py': 'setup(name="celeryish")\n',
      'celeryish/__init__.py': '',
      'celeryish/contrib/__init__.py': '',
      'celeryish/contrib/pytest.py':
        'def pytest_configure(config):\n    config.addinivalue_line(\n        "markers", "celery(**overrides): override celery configuration for a test case"\n    )\n',
    },
    'celeryish',
    ['celeryish.contrib.pytest'],
  );
  assert.deepEqual(loaded.record.entryPoints, []);
  assert.deepEqual(loaded.record.markers, ['celery']);
});

test('extraction: Python 3.12 generics do not hide a module from an older interpreter', () => {
  const { record, notes } = extractTree(
    {
      'pyproject.toml': '[project]\nname = "pytest-gen"\nversion = "1"\n[project.entry-points.pytest11]\ngen = "pytest_gen"\n',
      'pytest_gen.py':
        'type Alias = list[int]\ndef wrap[**P, R](f):\n    return f\nclass Box[T]:\n    pass\ndef pytest_addoption(parser):\n    parser.addoption("--gen")\n',
    },
    'pytest-gen',
  );
  assert.deepEqual(notes, []);
  assert.equal(flag(record, '--gen')?.value, 'required');
});

test('committed registry: PluginRecord[] with at least 200 plugins, sorted, one line each', () => {
  assert.ok(committed.length >= 200, `${committed.length} records`);
  const names = committed.map((r) => r.distribution);
  assert.deepEqual(names, [...names].sort(), 'sorted by distribution');
  assert.equal(new Set(names).size, names.length, 'one record per distribution');
  const types = new Set(['string', 'bool', 'int', 'float', 'args', 'linelist', 'paths', 'pathlist']);
  for (const r of committed) {
    assert.match(r.distribution, /^[a-z0-9]+(-[a-z0-9]+)*$/, 'PEP 503 normalized');
    assert.equal(typeof r.version, 'string');
    assert.match(r.source, /^(installed|github:[\w.-]+\/[\w.-]+@[0-9a-f]{40})$/, r.distribution);
    for (const e of r.entryPoints) assert.ok(e.name && /^[\w.]+$/.test(e.module), `${r.distribution} entry point`);
    for (const f of r.flags) {
      assert.ok(f.names.length > 0 && f.names.every((n) => n.startsWith('-')), `${r.distribution} ${f.names.join(',')}`);
      assert.ok(['none', 'required', 'optional'].includes(f.value));
      if (f.choices) assert.ok(f.choices.every((c) => typeof c === 'string'));
    }
    for (const [k, t] of Object.entries(r.keys)) assert.ok(types.has(t), `${r.distribution} ${k}: ${t}`);
    for (const m of r.markers) assert.match(m, /^[A-Za-z_]\w*$/);
    for (const kind of r.incomplete ?? []) assert.ok(['flags', 'keys', 'markers'].includes(kind), `${r.distribution} incomplete ${kind}`);
  }
  const text = readFileSync(join(ROOT, 'schemas', 'pytest-plugins.json'), 'utf8');
  assert.equal(text.split('\n').length, committed.length + 3, 'one record a line: a diff names the plugin that changed');
});

test('committed registry: the facts seen on real repositories (facts.md §7)', () => {
  const django = byName.get('pytest-django')!;
  assert.deepEqual(django.entryPoints, [{ name: 'django', module: 'pytest_django.plugin' }]);
  assert.equal(django.flags.find((f) => f.names.includes('--ds'))?.value, 'required');
  assert.equal(django.flags.find((f) => f.names.includes('--reuse-db'))?.value, 'none');
  assert.ok(django.markers.includes('django_db'));
  assert.equal(django.keys.DJANGO_SETTINGS_MODULE, 'string');

  const socket = byName.get('pytest-socket')!;
  assert.equal(socket.flags.find((f) => f.names.includes('--disable-socket'))?.value, 'none');
  assert.equal(socket.flags.find((f) => f.names.includes('--allow-hosts'))?.value, 'required');
  assert.equal(socket.flags.find((f) => f.names.includes('--allow-unix-socket'))?.value, 'none');

  const recording = byName.get('pytest-recording')!.flags.find((f) => f.names.includes('--record-mode'));
  assert.equal(recording?.value, 'required');
  assert.ok(recording?.choices?.includes('rewrite'));

  assert.deepEqual(byName.get('anyio')!.entryPoints, [{ name: 'anyio', module: 'anyio.pytest_plugin' }]);
  assert.ok(byName.get('anyio')!.markers.includes('anyio'));
  // celery's plugin is loaded through pytest_plugins (or the pytest-celery shim), not an entry point.
  assert.ok(byName.get('celery')!.markers.includes('celery'));
  // Options registered through helpers: pytest-benchmark's prefixed ones (its csv helper serves only its own
  // command line, which pytest with the plugin loaded confirms: 34 flags), reportportal's shared option helper.
  const benchmark = byName.get('pytest-benchmark')!;
  assert.equal(benchmark.flags.length, 34);
  assert.equal(benchmark.flags.find((f) => f.names.includes('--benchmark-sort'))?.value, 'required');
  assert.equal(
    benchmark.flags.find((f) => f.names.includes('--benchmark-csv')),
    undefined,
  );
  assert.ok(byName.get('pytest-reportportal')!.flags.some((f) => f.names.includes('--rp-endpoint')));
  // The schema plugins' records carry what their schemas do not: entry points (`-p no:xdist`) and markers.
  const xdist = byName.get('pytest-xdist')!;
  assert.deepEqual(
    xdist.entryPoints.map((e) => e.name),
    ['xdist', 'xdist.looponfail'],
  );
  assert.deepEqual(xdist.markers, ['xdist_group']);
  assert.deepEqual(byName.get('pytest-timeout')!.markers, ['timeout']);
  for (const dist of ['hypothesis', 'syrupy', 'time-machine', 'respx', 'pytest-timeout', 'pytest-asyncio', 'pytest-xdist']) {
    assert.ok(byName.get(dist)!.entryPoints.length > 0, `${dist} has a pytest11 entry point`);
  }
});

test('committed registry agrees with the schemas generated from the installed plugins', () => {
  const canonical = (flags: { names: string[]; value: string; choices?: string[] }[]) =>
    flags
      .map((f) => ({ names: [...f.names].sort(), value: f.value, choices: f.choices }))
      .sort((a, b) => a.names.join().localeCompare(b.names.join()));
  for (const dist of ['pytest-asyncio', 'pytest-cov', 'pytest-timeout', 'pytest-xdist']) {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', `${dist}.schema.json`), 'utf8'));
    const record = byName.get(dist)!;
    assert.equal(record.source, 'installed', dist);
    assert.match(schema.title, new RegExp(`^${dist} ${record.version.replace(/\./g, '\\.')} `), `${dist}: same version`);
    const schemaKeys = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, (v as { 'x-pytest-type': string })['x-pytest-type']]),
    );
    assert.deepEqual(record.keys, schemaKeys, `${dist} keys`);
    assert.deepEqual(canonical(record.flags), canonical(schema['x-pytest-flags']), `${dist} flags`);
  }
  // The fifth schema is netra-migrate's own memory monitor (a local plugin, not a distribution): the
  // extractor reads its source to the same keys and flags.
  const monitor = readFileSync(join(ROOT, 'src', 'monitor', 'pytest_memory_plugin.py'), 'utf8');
  const { record } = extractTree({ 'pytest_memory_plugin.py': monitor }, 'pytest-memory-plugin', ['pytest_memory_plugin']);
  const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'pytest-memory-plugin.schema.json'), 'utf8'));
  const schemaKeys = Object.fromEntries(
    Object.entries(schema.properties).map(([k, v]) => [k, (v as { 'x-pytest-type': string })['x-pytest-type']]),
  );
  assert.deepEqual(record.keys, schemaKeys, 'memory plugin keys');
  // Its schema's `choices` for --memory-limit-action are a hand refinement (the plugin checks the value
  // itself, after argparse): names and arity must agree.
  const arity = (flags: { names: string[]; value: string }[]) => canonical(flags).map(({ names, value }) => ({ names, value }));
  assert.deepEqual(arity(record.flags), arity(schema['x-pytest-flags']), 'memory plugin flags');
});

test('committed registry matches its sources where they are on this machine (drift)', (t) => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'schemas', 'pytest-plugins.sources.json'), 'utf8'));
  const mirror = process.env.NETRA_PLUGIN_MIRROR ?? '/work/.mirror';
  const sample = ['pytest-django', 'pytest-socket', 'pytest-recording', 'anyio', 'pytest-benchmark'];
  const present = sample.filter((d) => {
    const repo = manifest.plugins[d]?.repo as string | undefined;
    return repo === undefined || existsSync(join(mirror, repo.replace('/', '+')));
  });
  if (present.length === 0) {
    t.skip(`no plugin source under ${mirror}: drift not checked`);
    return;
  }
  const r = spawnSync(python, [GENERATOR, '--check', '--only', present.join(',')], { encoding: 'utf8' });
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual(result.changed, [], r.stderr);
  if (result.checked.length === 0) {
    t.skip(`sources absent (${result.absent.join(', ')}): drift not checked`);
    return;
  }
  assert.equal(r.status, 0, r.stderr);
});
