/**
 * `netra-migrate server` on a large tree: the first scan (to its work-done `end`), then the time from a
 * `didChange` of one open test module (or one package's conftest.py) to the `publishDiagnostics` for that
 * version, debounce (the default 50 ms) included, through the same client library the tests use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LspClient, uri } from '../test/support/lsp-client.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(0.9 * xs.length))]!;

/** ms from sending version `version` of `path` to its diagnostics of that version. */
async function timedChange(client: LspClient, path: string, text: string, version: number): Promise<number> {
  const started = performance.now();
  await client.change(path, text, version);
  await client.until(`diagnostics of ${path} v${version}`, () => client.diagnostics.get(uri(path))?.version === version, 120_000);
  const entry = client.log.findLast((l) => l.params.uri === uri(path) && l.params.version === version)!;
  return entry.at - started;
}

export async function serverLatency(tree: string, files: number, edits = 21): Promise<string> {
  const started = performance.now();
  const client = new LspClient(tree, {}, {});
  await client.initialize();
  await client.until('first scan', () => client.progress.some((p) => p.value.kind === 'end'), 600_000);
  const scan = (performance.now() - started) / 1000;
  const module = join(tree, 'service7', 'tests', 'pkg75', 'test_mod3.py');
  const conftest = join(tree, 'service7', 'tests', 'pkg75', 'conftest.py');
  const original = readFileSync(module, 'utf8');
  await client.open(module, original, 'python', 1);
  await client.diagnosticsOf(module, (_, v) => v === 1);
  const moduleMs: number[] = [];
  for (let i = 0; i < edits; i++) {
    const added = i % 2 === 0 ? `\n\n@pytest.mark.asyncio(scope="module")\nasync def test_added_${i}():\n    pass\n` : '';
    moduleMs.push(await timedChange(client, module, original + added, i + 2));
  }
  const conftestText = readFileSync(conftest, 'utf8');
  await client.open(conftest, conftestText, 'python', 1);
  await client.diagnosticsOf(conftest, (_, v) => v === 1).catch(() => []);
  const conftestMs: number[] = [];
  for (let i = 0; i < 5; i++)
    conftestMs.push(await timedChange(client, conftest, `${conftestText}\n# edit ${i}\n`, i + 2).catch(() => NaN));
  await client.stop();
  const row = (what: string, xs: number[]) =>
    `| ${what} | ${xs.length} | ${median(xs).toFixed(0)} | ${p90(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} |`;
  return [
    `A generated tree of ${files.toLocaleString('en')} files (the scaling section's generator: test modules in packages of 50, a conftest.py per package, a pytest.ini per service); the server started in it with default settings (debounce 50 ms). First scan, to the end of its progress: ${scan.toFixed(1)} s.`,
    '',
    '| change | edits | median ms | p90 ms | min ms |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('one test module (its own findings)', moduleMs),
    row(
      "one package's conftest.py (re-checks the package's 50 modules)",
      conftestMs.filter((x) => !Number.isNaN(x)),
    ),
    '',
    "Goal: a changed file's diagnostics within 200 ms in a 7,500-file repository (median). Times are wall clock from `didChange` sent to `publishDiagnostics` received, debounce included.",
  ].join('\n');
}
