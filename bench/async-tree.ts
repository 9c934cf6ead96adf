/**
 * A generated tree shaped like real async test suites, for `npm run bench`: services with their own
 * pytest.ini, packages with a conftest.py, and test modules of 200-2,000 lines with long docstrings, classes,
 * sync and async fixtures, marks, parametrize tables and helper code. Nearly every module mentions `async`,
 * `fixture` and `asyncio`, as real ones do, so no text prefilter can skip them wholesale.
 *
 * `findings: 'some'` puts a finding in about one module in twelve (a wide async fixture, an `event_loop`
 * request, `scope=` on the asyncio mark); `'every'` puts a fixable one in every module. Deterministic.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'request response session pool client server payload retry timeout backoff queue worker cache token account order invoice ledger shard replica'.split(
    ' ',
  );

export interface AsyncTree {
  dir: string;
  modules: number;
  lines: number;
}

const INI =
  '[pytest]\ntestpaths = tests\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\naddopts = --strict-markers -ra\ntimeout = 120\nmarkers =\n    slow: long-running\n    integration: needs services\n';

export function generateAsyncTree(modules: number, findings: 'some' | 'every', seed = 7): AsyncTree {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const dir = mkdtempSync(join(tmpdir(), `netra-bench-async-${modules}-`));
  writeFileSync(join(dir, '.gitignore'), '__pycache__/\n.venv/\n');
  let n = 0;
  let lines = 0;
  for (let pkg = 0; n < modules; pkg++) {
    const service = join(dir, `service${Math.floor(pkg / 20)}`);
    if (pkg % 20 === 0) {
      mkdirSync(service, { recursive: true });
      writeFileSync(join(service, 'pytest.ini'), INI);
    }
    const tests = join(service, 'tests', `pkg${pkg}`);
    mkdirSync(tests, { recursive: true });
    writeFileSync(join(tests, '__init__.py'), '');
    writeFileSync(
      join(tests, 'conftest.py'),
      `"""Fixtures shared by package ${pkg}."""\nimport pytest\nimport pytest_asyncio\n\n\n@pytest.fixture\ndef settings():\n    return {"pkg": ${pkg}}\n\n\n@pytest_asyncio.fixture\nasync def client(settings):\n    yield settings\n`,
    );
    for (let m = 0; m < 25 && n < modules; m++, n++) {
      const target = 200 + Math.floor(rnd() * rnd() * 1800);
      const out: string[] = ['"""'];
      const word = () => pick(WORDS);
      out.push(`Tests for the ${word()} ${word()} of package ${pkg}.`, '');
      for (let i = 0; i < 12; i++)
        out.push(`The ${word()} is checked against the ${word()} and the ${word()}; every ${word()} awaits its ${word()}.`);
      out.push('"""', 'import asyncio', 'import json', '', 'import pytest', 'import pytest_asyncio', '', '');
      const finding = findings === 'every' || n % 12 === 5;
      const kind = findings === 'every' ? 0 : n % 3;
      if (finding && kind === 1)
        out.push('@pytest_asyncio.fixture(scope="module")', 'async def shared_pool():', '    yield {"rows": []}', '', '');
      out.push(
        '@pytest_asyncio.fixture',
        'async def connection(client):',
        '    await asyncio.sleep(0)',
        '    yield {"client": client}',
        '',
        '',
      );
      out.push(
        '@pytest.fixture',
        'def payload(settings):',
        '    """The request body every test posts."""',
        '    return json.dumps(settings)',
        '',
        '',
      );
      let cls = 0;
      while (out.length < target) {
        out.push(
          `@pytest.mark.${rnd() < 0.5 ? 'slow' : 'integration'}`,
          `class Test${word()[0]!.toUpperCase()}${word().slice(1)}${cls++}:`,
        );
        out.push(`    """Behaviour of the ${word()} under ${word()} pressure."""`, '');
        for (let t = 0; t < 6 && out.length < target; t++) {
          const async_ = rnd() < 0.7;
          out.push(`    @pytest.mark.parametrize("value, expected", [`);
          for (let row = 0; row < 4; row++) out.push(`        (${row}, ${row * 2}),`);
          out.push('    ])');
          if (async_)
            out.push(
              finding && kind === 0 && cls === 1 && t === 0 ? '    @pytest.mark.asyncio(scope="module")' : '    @pytest.mark.asyncio',
            );
          const loop = finding && kind === 2 && cls === 1 && t === 0;
          out.push(
            `    ${async_ ? 'async ' : ''}def test_${word()}_${t}(self, ${async_ ? 'connection' : 'payload'}, value, expected${loop ? ', event_loop' : ''}):`,
          );
          out.push(`        """The ${word()} returns ${word()} for every ${word()}."""`);
          if (async_) out.push('        await asyncio.sleep(0)');
          out.push('        result = value * 2', `        assert result == expected, "${word()} ${word()}"`);
          for (let k = 0; k < 3; k++)
            out.push(
              `        data = {"${word()}": value, "${word()}": [expected, ${k}]}`,
              '        assert json.loads(json.dumps(data)) == data',
            );
          out.push('');
        }
        out.push(
          '',
          `def _helper_${cls}(rows):`,
          '    total = 0',
          '    for row in rows:',
          '        total += len(str(row))',
          '    return total',
          '',
          '',
        );
      }
      lines += out.length;
      writeFileSync(join(tests, `test_mod${m}.py`), out.join('\n') + '\n');
    }
  }
  return { dir, modules, lines };
}
