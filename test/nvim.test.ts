/**
 * netra-migrate in a real editor: Neovim headless (Debian's `neovim`; `.ci/run` installs it where absent) with
 * its built-in LSP client starts `netra-migrate server`, receives the diagnostics, applies a code action
 * through `vim.lsp.buf.code_action`, and `:w` writes the fixed text.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, tempDir, writeTree } from './support/env.js';

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const skip = nvim.status === 0 ? false : 'nvim not installed (`.ci/run` installs Debian neovim)';

describe('Neovim (built-in LSP client)', { skip }, () => {
  test('opens a project, receives the diagnostics, applies a code action, and :w writes the fixed text', () => {
    const root = writeTree({
      'pytest.ini': '[pytest]\n# the suite\naddopts = -ra\ntestpaths = tests\n',
      'tests/test_a.py': 'def test_a():\n    pass\n',
    });
    const out = join(tempDir(), 'result.json');
    const r = spawnSync(
      'nvim',
      ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${join(ROOT, 'test', 'support', 'nvim-lsp.lua')}`],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          ...process.env,
          NM_ROOT: root,
          NM_OUT: out,
          NM_NODE: process.execPath,
          NM_CLI: CLI,
          NM_FILE: 'pytest.ini',
          NM_RULE: 'require-strict-config',
          NM_ACTION: 'Turn on --strict-config',
        },
      },
    );
    assert.equal(r.status, 0, `nvim: ${r.stderr}${r.stdout}`);
    const result = JSON.parse(readFileSync(out, 'utf8')) as { codes: string[]; applied: boolean; titles?: string[] };
    assert.ok(result.codes.includes('require-strict-config'), JSON.stringify(result));
    assert.ok(result.codes.includes('require-timeout'), JSON.stringify(result));
    assert.equal(result.applied, true, JSON.stringify(result));
    assert.equal(
      readFileSync(join(root, 'pytest.ini'), 'utf8'),
      '[pytest]\n# the suite\naddopts = -ra --strict-config\ntestpaths = tests\n',
    );
  });
});
