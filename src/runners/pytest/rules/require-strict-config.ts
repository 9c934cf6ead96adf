import { defineRule } from '../../../core/rule.js';
import { getEntry, listItems, typedValue } from '../config.js';
import { appendItem, insertEntry, renderValue } from '../edit.js';
import { headerRange, isActive } from '../rule-kit.js';
import { addoptsFlag, type PytestTarget } from '../target.js';
import { keyInfo, unknownKeys } from '../schema.js';
import { describeEnvironments, lackingPlugin, type TestEnvironment } from '../environments.js';
import { isPytestPluginName } from '../plugins.js';

export default defineRule<PytestTarget, 'missing' | 'lacking', Record<string, never>>({
  meta: {
    id: 'require-strict-config',
    runners: ['pytest'],
    severity: 'warning',
    fix: 'sometimes',
    description: 'pytest fails on config keys it does not know.',
    messages: {
      missing:
        'strict config is off: a misspelt or unsupported key (say, a timeout or memory limit) is silently ignored instead of failing the run',
      lacking:
        'strict config is off: a misspelt or unsupported key is silently ignored; not turned on, because {{envs}} run{{s}} pytest with this config without {{plugins}}, whose keys ({{keys}}) would then stop the run',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: 'Flags a pytest config with neither `--strict-config` (or `--strict`) in `addopts` nor `strict_config`/`strict` set to true.',
      why: 'Without strict config, pytest only warns about unknown keys, and warnings scroll by. The limits netra-migrate adds are keys of plugins; if a plugin is missing or a key is misspelt, the limit silently does nothing.',
      example: {
        file: 'pytest.ini',
        bad: '[pytest]\naddopts = -ra\n',
        good: '[pytest]\naddopts = -ra --strict-config\n',
      },
      fixSafety:
        "Safe, and offered only when every key of the config is known to pytest or a plugin with a schema here, in every environment that runs pytest with the config (each tox env, nox session and CI job installs the plugin owning each key): then strictness changes nothing today and fails fast on tomorrow's typo. With unknown keys present, or a plugin's key in a config that an environment without that plugin runs, there is no fix (turning strictness on would stop the run there); the message names those environments.",
    },
  },
  async check(ctx, target) {
    if (!isActive(target)) return;
    const { config } = target;
    if (addoptsFlag(config, '--strict-config', '--strict')) return;
    for (const key of ['strict_config', 'strict']) {
      const entry = getEntry(config, key);
      if (!entry) continue;
      const typed = typedValue(config, entry, 'bool');
      if (typed.ok && typed.value === true) return;
    }
    // A key is known only where its plugin is installed: every environment running this config must have it.
    const environments = target.project ? (await target.project()).environments : [];
    const lacking = new Map<TestEnvironment, Set<string>>();
    const keys = new Set<string>();
    const plugins = new Set<string>();
    for (const e of config.entries) {
      const plugin = keyInfo(e.key)?.plugin;
      if (!plugin || !isPytestPluginName(plugin) || plugin === 'pytest-memory-plugin') continue;
      for (const env of lackingPlugin(environments, plugin)) {
        lacking.set(env, (lacking.get(env) ?? new Set()).add(e.key));
        keys.add(e.key);
        plugins.add(plugin);
      }
    }
    if (lacking.size > 0) {
      ctx.report({
        messageId: 'lacking',
        data: {
          envs: describeEnvironments([...lacking.keys()]),
          s: lacking.size === 1 ? 's' : '',
          plugins: [...plugins].sort().join(' and '),
          keys: [...keys].sort().join(', '),
        },
        ...headerRange(config),
      });
      return;
    }
    const safe = unknownKeys(config).length === 0;
    let fix = null;
    if (safe) {
      const addopts = getEntry(config, 'addopts');
      const edit =
        config.mode === 'toml' && !addopts
          ? insertEntry(config, 'strict_config', renderValue(config, 'bool', true))
          : addopts
            ? appendItem(config, addopts, listItems(config, addopts, 'args'), '--strict-config')
            : insertEntry(config, 'addopts', renderValue(config, 'args', ['--strict-config']));
      fix = { title: 'Turn on --strict-config', applicability: 'safe' as const, edits: [edit] };
    }
    ctx.report({ messageId: 'missing', ...headerRange(config), fix });
  },
});
