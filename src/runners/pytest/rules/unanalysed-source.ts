import { defineRule } from '../../../core/rule.js';
import { isActive } from '../rule-kit.js';
import type { PytestTarget } from '../target.js';

type Options = Record<string, never>;

export default defineRule<PytestTarget, 'misread', Options>({
  meta: {
    id: 'unanalysed-source',
    runners: ['pytest'],
    severity: 'info',
    fix: 'none',
    sources: true,
    description: 'Says which valid Python modules the rules could not fully read, so no silence is taken for a clean bill.',
    messages: {
      misread:
        "not analysed from here: tree-sitter cannot read this valid Python (CPython's ast accepts it; a line inside brackets dedented below its block is one such case, tree-sitter-python#256), so the rules did not see the code it misreads",
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: "Reports, as information, a test module or conftest.py that CPython's `ast.parse` accepts but that tree-sitter-python (the fast parser the source rules read) cannot read, at the first place it misreads. The module is neither a syntax error nor analysed there: fixtures, marks and tests in the misread part are not checked.",
      why: 'A rule that found nothing in a module it could not read would look like a clean result. Saying so names the module, so it can be reshaped (indent the dedented continuation line) or checked by hand.',
      example: {
        file: 'conftest.py',
        bad: 'import pytest\n\n\nclass Helper:\n    def load(self):\n        from os.path import (\n    join,\n        )\n        return join\n\n\n@pytest.fixture(scope="session")\nasync def db():\n    yield 1\n',
        good: 'import pytest\n\n\nclass Helper:\n    def load(self):\n        from os.path import (\n            join,\n        )\n        return join\n\n\n@pytest.fixture(scope="session")\nasync def db():\n    yield 1\n',
        beside: { 'pytest.ini': '[pytest]\n' },
      },
      fixSafety: 'No fix: re-indenting code is the author’s call (inside brackets it changes nothing for Python).',
    },
  },
  check(ctx, target) {
    if (!isActive(target)) return;
    for (const source of target.sources ?? []) {
      const { syntaxError, errorRanges } = source.module;
      // A syntax error CPython confirms is reported as one (exit 2); here CPython accepted what tree-sitter did not.
      if (syntaxError !== null || errorRanges.length === 0) continue;
      ctx.report({ messageId: 'misread', file: source.file, start: errorRanges[0]!.start, end: errorRanges[0]!.start });
    }
  },
});
