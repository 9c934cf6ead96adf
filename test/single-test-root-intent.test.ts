/**
 * single-test-root where several roots are deliberate (the last two false errors of the field trials):
 * - a package with no test files listed in `testpaths` while `--doctest-modules` is on is there for its
 *   doctests (tavern: `testpaths = ["tavern", "tests/unit"]`): not a second test root;
 * - a command that measures coverage over several roots in one process (py-shiny's `make coverage`) does so
 *   for a combined report: an `info` note with the alternative, not an error.
 */
import '../src/index.js'; // the rule registry first: the rule modules import each other through it
import pytestSingleTestRoot from '../src/runners/pytest/rules/single-test-root.js';
import { ciSingleTestRoot } from '../src/runners/ci/rules/single-test-root.js';
import { RuleTester } from './support/rule-tester.js';

const tester = new RuleTester();

const PACKAGE = {
  'tavernish/__init__.py': '"""The package.\n\n>>> 1 + 1\n2\n"""\n',
  'tavernish/core.py': 'def double(x):\n    """\n    >>> double(2)\n    4\n    """\n    return 2 * x\n',
  'tests/unit/test_core.py': 'def test_core():\n    pass\n',
};

tester.run(pytestSingleTestRoot, {
  valid: [
    {
      name: 'a doctest-only package beside tests/unit, with --doctest-modules in addopts',
      files: {
        ...PACKAGE,
        'pyproject.toml':
          '[tool.pytest.ini_options]\ntestpaths = ["tavernish", "tests/unit"]\naddopts = ["--doctest-modules", "-r", "xs"]\n',
      },
    },
  ],
  invalid: [
    {
      name: 'a package that holds test files is a root, --doctest-modules or not',
      files: {
        ...PACKAGE,
        'tavernish/test_inline.py': 'def test_inline():\n    pass\n',
        'pyproject.toml': '[tool.pytest.ini_options]\ntestpaths = ["tavernish", "tests/unit"]\naddopts = ["--doctest-modules"]\n',
      },
      // A policy finding: a warning under the recommended preset (an error under strict).
      errors: [{ messageId: 'several', data: { count: 2 }, severity: 'warning' }],
    },
  ],
});

const MAKE_PROJECT = {
  'pytest.ini': '[pytest]\ntestpaths = tests/pytest\n',
  'tests/pytest/test_a.py': 'def test_a():\n    pass\n',
  'tests/playwright/test_b.py': 'def test_b():\n    pass\n',
};

tester.run(ciSingleTestRoot, {
  valid: [],
  invalid: [
    {
      name: 'make coverage: two roots in one process with --cov is an info note',
      files: {
        ...MAKE_PROJECT,
        Makefile: 'coverage:\n\tpytest --cov-report term-missing --cov=shiny tests/pytest/ tests/playwright/\n\tcoverage html\n',
      },
      errors: [{ messageId: 'severalRootsForCoverage', file: 'Makefile', line: 2, severity: 'info' }],
      output: null,
    },
    {
      name: 'coverage run -m pytest over two roots is the same',
      files: { ...MAKE_PROJECT, Makefile: 'cov:\n\tcoverage run -m pytest tests/pytest tests/playwright\n' },
      errors: [{ messageId: 'severalRootsForCoverage', severity: 'info' }],
    },
    {
      name: 'without coverage, two roots in one process stay a policy finding (a warning under recommended, not a note)',
      files: { ...MAKE_PROJECT, Makefile: 'test:\n\tpytest tests/pytest tests/playwright\n' },
      errors: [{ messageId: 'severalRoots', severity: 'warning' }],
    },
  ],
});
