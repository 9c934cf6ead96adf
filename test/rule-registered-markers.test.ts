/**
 * registered-markers says a mark a plugin may own once per config (issue 25, item 1): at its first use,
 * with the count of its uses, not once per module (30+ warnings for `@pytest.mark.anyio` in one repository).
 */
import '../src/index.js'; // the rule registry first: the rule modules import each other through it
import registeredMarkers from '../src/runners/pytest/rules/registered-markers.js';
import { RuleTester } from './support/rule-tester.js';

const tester = new RuleTester();

const MODULE = (n: number) =>
  `import pytest\n\n\n${Array.from({ length: n }, (_, i) => `@pytest.mark.anyio\nasync def test_${i}():\n    pass\n`).join('\n\n')}`;

tester.run(registeredMarkers, {
  valid: [
    {
      // pytest-celery's entry module star-imports celery.contrib.pytest, whose pytest_configure registers the
      // mark: the registry generator merges what a star-imported plugin module registers.
      name: 'the celery mark under strict markers in a project that declares pytest-celery is known',
      files: {
        'pyproject.toml':
          '[project]\nname = "x"\n\n[project.optional-dependencies]\ntest = ["pytest", "pytest-celery"]\n\n[tool.pytest.ini_options]\naddopts = "--strict-markers"\n',
        'tests/test_tasks.py': 'import pytest\n\n\n@pytest.mark.celery(result_backend="redis://")\ndef test_task():\n    pass\n',
      },
    },
  ],
  invalid: [
    {
      name: 'anyio (a plugin of a package the project does not list directly) in three modules: one warning, with the count',
      files: {
        'pyproject.toml':
          '[project]\nname = "x"\ndependencies = ["httpx"]\n\n[project.optional-dependencies]\ntest = ["pytest"]\n\n[tool.pytest.ini_options]\naddopts = "--strict-markers"\nmarkers = ["slow: long"]\n',
        'tests/test_a.py': MODULE(2),
        'tests/test_b.py': MODULE(1),
        'tests/test_c.py': MODULE(1),
      },
      errors: [
        {
          messageId: 'unverifiable',
          file: 'tests/test_a.py',
          line: 4,
          data: { name: 'anyio', uses: 'used 4 times in 3 files' },
          severity: 'warning',
          fix: 'safe',
        },
      ],
    },
    {
      name: 'a plugin the project does not declare: one error per mark, at its first use, with the count',
      files: {
        'pyproject.toml':
          '[project]\nname = "x"\n\n[project.optional-dependencies]\ntest = ["pytest"]\n\n[tool.pytest.ini_options]\naddopts = "--strict-markers"\n',
        'tests/test_a.py':
          'import pytest\n\n\n@pytest.mark.django_db\ndef test_a():\n    pass\n\n\n@pytest.mark.django_db\ndef test_b():\n    pass\n',
        'tests/test_b.py': 'import pytest\n\n\n@pytest.mark.django_db\ndef test_c():\n    pass\n',
      },
      errors: [
        {
          messageId: 'undeclared',
          file: 'tests/test_a.py',
          line: 4,
          data: { name: 'django_db', uses: 'used 3 times in 2 files', plugin: 'pytest-django' },
          severity: 'error',
        },
      ],
    },
  ],
});
