/**
 * CPython's verdict through one long-lived interpreter (cpythonVerdictOf): the verdicts the one-shot run
 * gives, each to the text it was asked about when many are in flight, and no interpreter left holding the
 * process open.
 */
import { spawnSync } from 'node:child_process';
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { cpythonVerdictOf } from '../src/formats/cpython.js';

const noPython = spawnSync('python3', ['--version']).status === 0 ? false : 'python3 not found';

describe('cpythonVerdictOf', { skip: noPython }, () => {
  test('valid and invalid Python, as ast.parse says', async () => {
    assert.deepEqual(await cpythonVerdictOf('import asyncio\n\n\nasync def test_a():\n    await asyncio.sleep(0)\n'), { ok: true });
    const py2 = await cpythonVerdictOf('import sys\nprint "x"\n');
    assert.equal(py2?.ok, false);
    assert.equal(py2.ok === false && py2.line, 2);
    assert.match(py2.ok === false ? py2.message : '', /Missing parentheses in call to 'print'/);
    // Not UTF-8 once encoded is impossible for a JS string; a NUL byte is what ast.parse refuses outright.
    assert.equal((await cpythonVerdictOf('x = 1\0\n'))?.ok, false);
  });

  test('many texts in flight: each verdict goes to its own text', async () => {
    // Text i breaks at line i + 1, so a verdict handed to the wrong text shows as a wrong line.
    const texts = Array.from({ length: 60 }, (_, i) => `${'x = 1\n'.repeat(i)}def broken(:\n    pass\n# ${'é'.repeat(i)}\n`);
    const verdicts = await Promise.all(texts.map((t) => cpythonVerdictOf(t)));
    assert.deepEqual(
      verdicts.map((v) => (v && !v.ok ? v.line : null)),
      texts.map((_, i) => i + 1),
    );
  });

  test('the interpreter does not keep a process alive once every verdict is in', () => {
    const script = `import { cpythonVerdictOf } from ${JSON.stringify(new URL('../src/formats/cpython.ts', import.meta.url).pathname)};\nconsole.log(JSON.stringify(await cpythonVerdictOf('x = 1\\n')));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.error, undefined, 'the process ended by itself');
    assert.equal(r.stdout.trim(), '{"ok":true}', r.stderr);
  });

  test('no interpreter: no verdict (null), as with the one-shot run', () => {
    const script = `import { cpythonVerdictOf } from ${JSON.stringify(new URL('../src/formats/cpython.ts', import.meta.url).pathname)};\nconsole.log(JSON.stringify(await Promise.all([cpythonVerdictOf('x = 1\\n'), cpythonVerdictOf('y = (\\n')])));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NETRA_PYTHON: '/nonexistent/python3' },
    });
    assert.equal(r.stdout.trim(), '[null,null]', r.stderr);
  });
});
