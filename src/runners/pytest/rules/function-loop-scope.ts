import { defineRule } from '../../../core/rule.js';
import { getEntry, typedValue } from '../config.js';
import { insertEntry, renderValue, replaceValue } from '../edit.js';
import { headerRange, isActive } from '../rule-kit.js';
import type { Edit } from '../../../core/diagnostic.js';
import { addKeyword, ensureImport, quoteOf } from '../source-edit.js';
import { asyncFixtures, isWide } from '../source-kit.js';
import { usesPytestAsyncio, type PytestTarget } from '../target.js';
import { asyncioVersion, olderThan } from '../asyncio-version.js';
import { describeEnvironments, lackingPlugin } from '../environments.js';
import { localPluginSources, loopSplit } from '../fixture-graph.js';
import type { PytestSource } from '../sources.js';

/**
 * The source edits that keep every wider-cached async fixture in a loop as wide as its cache once the
 * default turns to `function`; null when that cannot be done for all of them (sources not read, a scope
 * that is not a literal).
 */
function keepLoopEdits(target: PytestTarget, plugins: PytestSource[]): { edits: Edit[]; count: number } | null {
  if (!target.sources) return null;
  const edits: Edit[] = [];
  const imported = new Set<string>();
  let count = 0;
  const inPlugins = plugins.flatMap((source) => source.fixtures.filter((f) => f.fn.async).map((fixture) => ({ source, fixture })));
  for (const { source, fixture } of [...asyncFixtures(target), ...inPlugins]) {
    if (fixture.loopScope) continue;
    if (fixture.scope && fixture.scope.value === null) return null;
    const scope = fixture.scope?.value;
    if (!isWide(scope)) continue;
    count++;
    const { call } = fixture.decorator;
    const q = quoteOf(source.module.text, call);
    if (fixture.kind === 'pytest') {
      // pytest.fixture has no loop_scope: pytest_asyncio.fixture takes the same arguments and this one.
      const alias = source.names.pytestAsyncio[0] ?? 'pytest_asyncio';
      edits.push({ file: source.file, start: call.start, end: call.args ? call.args.start : call.end, text: `${alias}.fixture` });
      if (source.names.pytestAsyncio.length === 0 && !imported.has(source.file)) {
        imported.add(source.file);
        const imp = ensureImport(source.file, source.module, 'pytest_asyncio');
        if (imp) edits.push(imp);
      }
    }
    edits.push(addKeyword(source.file, call, source.module.text, 'loop_scope', `${q}${scope}${q}`));
  }
  return { edits, count };
}

export default defineRule<PytestTarget, 'wider' | 'unset' | 'inert', Record<string, never>>({
  meta: {
    id: 'function-loop-scope',
    runners: ['pytest'],
    severity: { recommended: 'warning', strict: 'error' },
    fix: 'unsafe',
    description: "pytest-asyncio's default fixture loop scope is `function`.",
    messages: {
      wider:
        '`asyncio_default_fixture_loop_scope = {{scope}}` runs async fixtures in one {{scope}}-wide event loop that lives, with everything bound to it, until the {{scope}} ends{{note}}',
      inert:
        '`asyncio_default_fixture_loop_scope = {{scope}}` does nothing with {{version}}: the key arrived in pytest-asyncio 0.24, so pytest reports it as an unknown option and no loop is widened; upgrading makes it take effect (then set it to function)',
      unset:
        'pytest-asyncio is in use but `asyncio_default_fixture_loop_scope` is unset: each async fixture runs in a loop as wide as its cache scope{{note}}',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: 'Flags a pytest-asyncio setup whose `asyncio_default_fixture_loop_scope` is unset or wider than `function`. Where the project installs a pytest-asyncio older than 0.24, which does not read the key, a wider value is a warning with no fix: it widens nothing until the upgrade.',
      why: "With a session-wide default, every async fixture, even a function-cached one, runs in the session's event loop, while tests run in their own function loop: connections and tasks pile up on a loop that never closes (the seed project's memory build-up), and objects bound to one loop fail in another (`attached to a different loop`).",
      example: {
        file: 'pytest.ini',
        bad: '[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = session\n',
        good: '[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n',
      },
      fixSafety:
        "The fix sets the key to `function` and gives each wider-cached async fixture without a `loop_scope` an explicit `loop_scope=` equal to its `scope` (turning `@pytest.fixture` into `@pytest_asyncio.fixture`, which takes it, and importing pytest_asyncio where needed), so it keeps its loop and does not fail with `ScopeMismatch`. An async fixture then runs in the loop of its own scope. Safe when the run reads the test sources (a directory, not just the config file) and no async fixture whose loop changes uses, directly or through other fixtures, an async fixture it shared a loop with before and would not after (or the reverse): requests are followed by parameter name as pytest resolves them (the same module and its class, conftest.py in the module's directory and above, local `pytest_plugins` modules), across every conftest.py and test module the config governs; and no async fixture that shares the tests' loop today (`asyncio_default_test_loop_scope`, or a mark's `loop_scope=`) leaves it. With the key unset, pytest-asyncio already runs each async fixture in the loop of its scope, so nothing moves. Unsafe where such a chain exists (the message names it, e.g. `conn -> settings -> db_pool`): a function-scoped async fixture that awaits what a session-cached one built now runs in another loop and fails with \"attached to a different loop\". Unsafe where a fixture on a chain requests a name no conftest, module or local plugin defines (a plugin's fixture may be async), calls `request.getfixturevalue`, or where a conftest.py, a local plugin or a test module that may define an async fixture does not parse (a test module's fixtures serve its own tests only, so one without an async fixture is not read); unsafe without the sources or with a non-literal scope. Unsafe where a tox env, nox session or CI job runs pytest with the config without pytest-asyncio 0.24 or later (the message names them): the key is unknown there and stops pytest under `--strict-config` or warnings as errors; installing pytest-asyncio into such an environment would change how its async tests run, so the fix never does. No fix where the pytest-asyncio the project has is older than 0.24: the key would be unknown to it.",
    },
  },
  async check(ctx, target) {
    if (!isActive(target)) return;
    const project = target.project ? await target.project() : null;
    if (!usesPytestAsyncio(target, project)) return;
    const version = asyncioVersion(project);
    // The key and `loop_scope=` arrived in pytest-asyncio 0.24: an older version must be upgraded first.
    const old = olderThan(version, '0.24');
    const note = old
      ? `; ${version.label} has neither this key nor loop_scope= (both arrived in 0.24): upgrade pytest-asyncio to >=0.24 first: older versions do not know them`
      : '';
    const { config } = target;
    // Already `function` (or a value this rule does not judge): decided before the fixture graph is read.
    const entry = getEntry(config, 'asyncio_default_fixture_loop_scope');
    const typed = entry ? typedValue(config, entry, 'string') : null;
    const current = typed?.ok ? String(typed.value).trim() : '';
    if (entry && !['class', 'module', 'package', 'session'].includes(current)) return;
    const value = renderValue(config, 'string', 'function');
    // Local pytest_plugins modules define fixtures too, wherever they sit (not only where python_files looks).
    const keep = keepLoopEdits(target, await localPluginSources(target));
    // An environment that runs pytest with this config without pytest-asyncio >= 0.24 does not know the key:
    // writing it there is a new "Unknown config option" (exit 4 under --strict-config, 3 with warnings as errors).
    const lacking = project ? lackingPlugin(project.environments, 'pytest-asyncio', '0.24') : [];
    const envNote = lacking.length
      ? `; ${describeEnvironments(lacking)} run${lacking.length === 1 ? 's' : ''} pytest with this config without pytest-asyncio >= 0.24, where the key is unknown (pytest stops under --strict-config or warnings as errors); installing pytest-asyncio there would change how its async tests run`
      : '';
    // The fix moves an async fixture into the loop of its own scope: safe unless one that moves uses (directly
    // or through other fixtures) an async fixture that then runs in another loop ("attached to a different loop").
    const testEntry = getEntry(config, 'asyncio_default_test_loop_scope');
    const testTyped = testEntry ? typedValue(config, testEntry, 'string') : null;
    const testLoop = testTyped?.ok ? String(testTyped.value).trim() || 'function' : 'function';
    const split = keep && !old && lacking.length === 0 ? await loopSplit(target, entry ? current : null, testLoop) : null;
    const applicability = split?.safe ? 'safe' : 'unsafe';
    const splitNote = split && !split.safe ? `; the fix is unsafe: ${split.reason}` : '';
    const extra = keep?.edits ?? [];
    const kept =
      keep && keep.count > 0
        ? `; keep ${keep.count} wider-cached async fixture${keep.count === 1 ? '' : 's'} in ${keep.count === 1 ? 'its' : 'their'} own loop (loop_scope=)`
        : '';
    if (entry) {
      const scope = current;
      // The version the project installs cannot read the key: it widens nothing today, and no edit of it helps.
      if (old) {
        ctx.report({
          messageId: 'inert',
          data: { scope, version: version.label },
          start: entry.keyStart,
          end: entry.valueEnd,
          severity: 'warning',
        });
        return;
      }
      ctx.report({
        messageId: 'wider',
        data: { scope, note: note + envNote + splitNote },
        start: entry.keyStart,
        end: entry.valueEnd,
        fix: {
          title: `Set asyncio_default_fixture_loop_scope to function${kept}`,
          applicability,
          edits: [replaceValue(config, entry, value), ...extra],
        },
      });
      return;
    }
    // Unset, pytest-asyncio 1.x runs each async fixture in the loop of its own cache scope: with the sources
    // read and no async fixture cached wider than a test, nothing shares a loop today (a warning, not an error).
    const nothingAtRisk = keep !== null && keep.count === 0 && !olderThan(version, '1.0');
    // A version that does not know the key (0.21 under --strict-config stops with exit 4): no edit writes it.
    ctx.report({
      messageId: 'unset',
      data: { note: note + envNote + splitNote },
      ...(nothingAtRisk ? { severity: 'warning' as const } : {}),
      ...headerRange(config),
      fix: old
        ? null
        : {
            title: `Add asyncio_default_fixture_loop_scope = function${kept}`,
            applicability,
            edits: [insertEntry(config, 'asyncio_default_fixture_loop_scope', value), ...extra],
          },
    });
  },
});
