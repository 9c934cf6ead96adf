/** Small cases through the in-process RuleTester (test/support/rule-tester.ts); whole-project cases stay in fixtures/rules/. */
import requireFailFast from '../src/runners/pytest/rules/require-fail-fast.js';
import shadowedConfig from '../src/runners/pytest/rules/shadowed-config.js';
import { RuleTester } from './support/rule-tester.js';

const tester = new RuleTester();

tester.run(requireFailFast, {
  valid: [
    { name: '--maxfail in addopts', files: { 'pytest.ini': '[pytest]\naddopts = -ra --maxfail=3\n' } },
    { name: '-x in addopts', files: { 'pytest.ini': '[pytest]\naddopts = -x\n' } },
    { name: 'native TOML --exitfirst', files: { 'pyproject.toml': '[tool.pytest]\naddopts = ["--exitfirst"]\n' } },
  ],
  invalid: [
    {
      name: 'addopts without a limit: the flag is appended (unsafe)',
      files: { 'pytest.ini': '[pytest]\naddopts = -ra\n' },
      errors: [
        { messageId: 'missing', file: 'pytest.ini', line: 2, column: 1, endLine: 2, endColumn: 14, severity: 'warning', fix: 'unsafe' },
      ],
      unsafe: true,
      output: { 'pytest.ini': '[pytest]\naddopts = -ra --maxfail=10\n' },
    },
    {
      name: 'no addopts: the key is added with the option value; CRLF kept',
      files: { 'pytest.ini': '[pytest]\r\ntestpaths = tests\r\n' },
      options: { maxfail: 3 },
      errors: [{ messageId: 'missing', line: 1, column: 1, severity: 'error' }],
      unsafe: true,
      output: { 'pytest.ini': '[pytest]\r\ntestpaths = tests\r\naddopts = --maxfail=3\r\n' },
    },
    {
      name: 'safe fixes only: the unsafe fix is held back',
      files: { 'pytest.ini': '[pytest]\naddopts = -ra\n' },
      errors: [{ messageId: 'missing' }],
      output: null,
    },
  ],
});

tester.run(shadowedConfig, {
  valid: [{ name: 'one config per directory', files: { 'pytest.ini': '[pytest]\n', 'tox.ini': '[tox]\nenvlist = py3\n' } }],
  invalid: [
    {
      name: 'tox.ini [pytest] under a pytest.ini',
      files: { 'pytest.ini': '[pytest]\n', 'tox.ini': '[pytest]\ntimeout = 60\n' },
      errors: [{ messageId: 'shadowed', file: 'tox.ini', data: { winner: 'pytest.ini' }, line: 1, column: 1 }],
    },
  ],
});
