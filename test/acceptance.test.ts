/**
 * Acceptance: every pytest config of the real-world corpus, fixed with `fix --write --unsafe` in a temp
 * directory, is accepted by real pytest 9 with `--strict-config --collect-only` — except where it needs a
 * plugin this machine does not have (its keys, its command-line flags, its `required_plugins`, its warning
 * classes), which is named. Anything else is a failure of netra-migrate's fix.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fix } from '../src/index.js';
import { listValue, loadPytestConfig } from '../src/runners/pytest/config.js';
import { CORPUS, copyCorpusFile, corpusAvailable, pythonAvailable, runPython, tempDir } from './support/env.js';

const skip = corpusAvailable() || pythonAvailable();
const files = skip
  ? []
  : readdirSync(CORPUS, { recursive: true, encoding: 'utf8' })
      .filter((f) => /(^|\/)(pytest\.ini|\.pytest\.ini|tox\.ini|setup\.cfg|pyproject\.toml|pytest\.toml)$/.test(f))
      .sort();

/** Why pytest refused a fixed config, when the reason is a plugin that is not installed here. */
function missingPlugin(out: string): string | null {
  const patterns: [RegExp, (m: RegExpExecArray) => string][] = [
    [/Unknown config option: (\S+)/, (m) => `config key ${m[1]}, not pytest's nor an installed plugin's`],
    [/unrecognized arguments: (.+)/, (m) => `flags ${m[1]!.trim()} of a plugin not installed`],
    [/Missing required plugins: (.+)/, (m) => `required plugins ${m[1]!.trim()} not installed`],
    [/Error importing plugin "([^"]+)"/, (m) => `plugin ${m[1]} not installed`],
    [
      /while parsing the following warning configuration:[\s\S]*?(?:ModuleNotFoundError|ImportError|AttributeError)[^\n]*'([\w.]+)'/,
      (m) => `warning filter needs ${m[1]}`,
    ],
    [/(?:ModuleNotFoundError|ImportError): No module named '([\w.]+)'/, (m) => `module ${m[1]} not installed`],
  ];
  for (const [re, name] of patterns) {
    const m = re.exec(out);
    if (m) return name(m);
  }
  return null;
}

describe('corpus configs after fix --write --unsafe under real pytest --strict-config', { skip }, () => {
  test('accepted, or refused only for a plugin that is not installed (named)', async (t) => {
    let accepted = 0;
    const explained: string[] = [];
    const unexplained: string[] = [];
    for (const f of files) {
      const dir = tempDir('netra-accept-');
      const name = f.split('/').pop()!;
      copyCorpusFile(join(CORPUS, f), join(dir, name));
      const result = await fix({ cwd: dir, paths: ['.'], unsafe: true, write: true, toolConfig: false });
      if (result.problems.length > 0) {
        unexplained.push(`${f}: netra-migrate problem ${result.problems[0]!.message}`);
        continue;
      }
      // A config file without pytest config (setup.cfg of another tool) has nothing to accept.
      if (!result.files.some((x) => x.endsWith(name))) continue;
      // The project's test directories exist (empty), as in the real repository: a config with
      // `filterwarnings = error` would otherwise fail on "No files were found in testpaths".
      const config = loadPytestConfig(join(dir, name), readFileSync(join(dir, name), 'utf8'), true)!;
      for (const p of listValue(config, 'testpaths', 'args')) if (!/[*?[]/.test(p)) mkdirSync(join(dir, p), { recursive: true });
      const r = runPython(
        ['-m', 'pytest', '-c', name, '--rootdir', '.', '--strict-config', '--collect-only', '-q', '-p', 'no:cacheprovider'],
        {
          cwd: dir,
          env: { PYTEST_ADDOPTS: '', PYTEST_MEMORY_LIMIT_MB: '', PYTEST_COLLECTION_LIMIT_MB: '' },
        },
      );
      const out = r.stdout + r.stderr;
      // 5: nothing collected (the corpus has configs, not tests): the config itself was accepted.
      if (r.code === 0 || r.code === 5) accepted++;
      else {
        const why = missingPlugin(out);
        if (why) explained.push(`${f}: ${why}`);
        else
          unexplained.push(
            `${f}: exit ${r.code}: ${out
              .split('\n')
              .filter((l) => /error|Error|Warning/.test(l))
              .slice(-3)
              .join(' | ')}`,
          );
      }
    }
    const total = accepted + explained.length + unexplained.length;
    t.diagnostic(`accepted ${accepted} of ${total}; refused for plugins not installed: ${explained.length}`);
    for (const e of explained) t.diagnostic(e);
    assert.deepEqual(unexplained, []);
    assert.ok(accepted >= total / 2, `only ${accepted} of ${total} accepted`);
  });
});
