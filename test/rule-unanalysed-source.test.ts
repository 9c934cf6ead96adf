import unanalysedSource from '../src/runners/pytest/rules/unanalysed-source.js';
import { RuleTester } from './support/rule-tester.js';

const MISREAD = [
  'import pytest',
  '',
  '',
  'class Helper:',
  '    def load(self):',
  '        from os.path import (',
  '    join,',
  '        )',
  '        return join',
  '',
  '',
  '@pytest.fixture(scope="session")',
  'async def db():',
  '    yield 1',
  '',
].join('\n');

new RuleTester().run(unanalysedSource, {
  valid: [
    {
      name: 'a module tree-sitter reads',
      files: { 'pytest.ini': '[pytest]\n', 'tests/conftest.py': MISREAD.replace('\n    join,', '\n            join,') },
    },
  ],
  invalid: [
    {
      name: 'valid Python with a continuation line dedented inside brackets (tree-sitter-python#256)',
      files: { 'pytest.ini': '[pytest]\n', 'tests/conftest.py': MISREAD },
      errors: [{ messageId: 'misread', file: 'tests/conftest.py', line: 4, column: 14 }],
    },
  ],
});
