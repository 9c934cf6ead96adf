import type { Edit } from '../../../core/diagnostic.js';
import { defineRule } from '../../../core/rule.js';
import { closestName, detectEol } from '../../../core/text.js';
import { shlexSplit } from '../../../formats/shlex.js';
import { renderToml, tomlString } from '../../../formats/toml.js';
import { validatePytestConfig } from '../../../generated/pytest-config-validator.cjs';
import { lineEndAt, typedValue, type ConfigEntry, type PytestConfig } from '../config.js';
import { removeItems } from '../edit.js';
import { keyInfo, knownKeyNames, knownPlugins } from '../schema.js';
import { parseAddopts, type PytestTarget } from '../target.js';
import { decide, type OpenWorldDecision, type Registered } from '../open-world.js';

interface Options {
  /** Keys of plugins without a schema here, to accept as known. */
  knownKeys?: string[];
  /** Flags of plugins without a schema here (`--reruns`), to accept in addopts. */
  knownFlags?: string[];
}

type MessageId =
  | 'unknownKey'
  | 'unknownKeySuggest'
  | 'badType'
  | 'badValue'
  | 'unknownFlag'
  | 'inlineComment'
  | 'setupCfgPytest'
  | 'iniToolPytest'
  | 'bothTomlTables'
  | 'undeclaredKey'
  | 'unverifiableKey'
  | 'undeclaredFlag'
  | 'unverifiableFlag';

/** `--strict-config`, `strict_config = true` or pytest 9's `strict = true`: unknown keys stop pytest. */
function strictConfig(config: PytestConfig): boolean {
  if (parseAddopts(config)?.tokens.some((t) => t.flag === '--strict-config' || t.flag === '--strict')) return true;
  return ['strict_config', 'strict'].some((key) => {
    const entry = config.entries.find((e) => e.key === key);
    const typed = entry ? typedValue(config, entry, 'bool') : null;
    return typed?.ok === true && typed.value === true;
  });
}

export function suggestKey(key: string): string | undefined {
  return closestName(key, knownKeyNames());
}

/** Offsets of `#`/`;` comments that iniconfig keeps as part of a value, one per physical line. */
function inlineComments(config: PytestConfig, entry: ConfigEntry): { lineStart: number; cut: number; comment: string; indent: string }[] {
  if (!entry.ini) return [];
  const info = keyInfo(entry.key);
  // In linelist values (markers, filterwarnings) a ';' is ordinary prose; '#' after a space never is.
  const chars = info?.type === 'linelist' ? '#' : '#;';
  const out: { lineStart: number; cut: number; comment: string; indent: string }[] = [];
  for (const line of [entry.ini.keyLine, ...entry.ini.continuations]) {
    const data = config.text.slice(line.dataStart, line.dataEnd);
    const m = new RegExp(`(^|[ \\t])([${chars}].*)$`).exec(data);
    if (!m) continue;
    const commentStart = line.dataStart! + m.index + m[1]!.length;
    let cut = commentStart;
    while (cut > line.start && (config.text[cut - 1] === ' ' || config.text[cut - 1] === '\t')) cut--;
    const indent = line === entry.ini.keyLine ? '' : config.text.slice(line.start, line.dataStart);
    out.push({ lineStart: line.start, cut, comment: m[2]!, indent });
  }
  return out;
}

/** For native TOML: the same value in the type pytest wants, when the conversion is mechanical. */
function nativeTypeFix(config: PytestConfig, entry: ConfigEntry, type: string): string | null {
  const source = config.text.slice(entry.valueStart, entry.valueEnd);
  if (type === 'args' || type === 'paths' || type === 'pathlist' || type === 'linelist') {
    if (entry.rawKind !== 'string') return null;
    const s = String(entry.raw);
    try {
      const parts =
        type === 'linelist'
          ? s
              .split('\n')
              .map((l) => l.trim())
              .filter(Boolean)
          : shlexSplit(s).map((t) => t.value);
      return renderToml(parts);
    } catch {
      return null;
    }
  }
  if (type === 'string' && (entry.rawKind === 'integer' || entry.rawKind === 'float' || entry.rawKind === 'boolean'))
    return tomlString(source);
  if (type === 'bool' && entry.rawKind === 'string') {
    const v = String(entry.raw).trim().toLowerCase();
    if (['true', 'yes', '1', 'on'].includes(v)) return 'true';
    if (['false', 'no', '0', 'off'].includes(v)) return 'false';
  }
  return null;
}

export default defineRule<PytestTarget, MessageId, Options>({
  meta: {
    id: 'known-options',
    runners: ['pytest', 'jest', 'vitest'],
    severity: 'error',
    fix: 'sometimes',
    description: 'Config keys, values and flags are ones the runner and its plugins know.',
    messages: {
      unknownKey:
        '`{{key}}` is not a config key of pytest or of the plugins netra-migrate knows ({{plugins}}); pytest warns, and fails under --strict-config',
      unknownKeySuggest: '`{{key}}` is not a config key of pytest or of the plugins netra-migrate knows; did you mean `{{suggestion}}`?',
      badType: '`{{key}}` {{problem}}; pytest stops with this error when it reads the value',
      badValue: '`{{key}}` {{problem}}',
      unknownFlag:
        '`{{flag}}` in addopts is not an option of pytest or of the plugins netra-migrate knows; pytest stops with "unrecognized arguments" (exit 4)',
      inlineComment: 'pytest does not strip inline comments: `{{comment}}` is read as part of the value of `{{key}}`',
      setupCfgPytest: 'pytest refuses a [pytest] section in setup.cfg ("no longer supported"); it must be [tool:pytest]',
      iniToolPytest: 'pytest ignores a [tool:pytest] section in an .ini file; its settings never apply (the section must be [pytest])',
      bothTomlTables: 'pyproject.toml has both [tool.pytest] and [tool.pytest.ini_options]; pytest refuses to start (exit 4)',
      undeclaredKey:
        '`{{key}}` needs {{plugin}}, which the project does not declare in {{where}}: without it pytest ignores the key with a warning (an error under --strict-config)',
      unverifiableKey: '`{{key}}` cannot be verified: {{why}}',
      undeclaredFlag:
        '`{{flag}}` in addopts needs {{plugin}}, which the project does not declare in {{where}}: without it pytest stops with "unrecognized arguments" (exit 4)',
      unverifiableFlag: '`{{flag}}` in addopts cannot be verified: {{why}}',
    },
    options: {
      type: 'object',
      properties: {
        knownKeys: { type: 'array', items: { type: 'string' }, description: 'Config keys of other plugins to accept.' },
        knownFlags: { type: 'array', items: { type: 'string' }, description: 'addopts flags of other plugins to accept.' },
      },
      additionalProperties: false,
    },
    defaultOptions: {},
    docs: {
      what: 'Checks the pytest config against the JSON Schemas in `schemas/` (generated from pytest and pytest-asyncio, pytest-timeout, pytest-xdist, pytest-cov and the memory monitor): unknown keys, values of the wrong type or outside the allowed ones, unknown flags in `addopts`, inline comments that pytest reads as data, a `[pytest]` section in setup.cfg, `[tool:pytest]` in an .ini file, and both TOML tables in one pyproject.toml. Open world: a key or flag that a plugin the project declares (dependency files, lock files, or the environment of `--python` / a project `.venv/`) or its conftest.py and local plugin modules register is known; one that belongs to a registry plugin the project does not declare is an error naming the plugin and where dependencies were looked for; one nobody registers while the project declares a plugin netra-migrate has no record of (or loads a local plugin it cannot read) is a warning that it cannot be verified.',
      why: 'pytest reads config strictly and differently from most INI readers: an unknown flag in addopts stops every run (exit 4), `testpaths = tests # main` collects from `#` and `main` too, and a misspelt key is silently ignored unless --strict-config is on, so the limit it was meant to set never applies.',
      example: {
        file: 'pytest.ini',
        bad: '[pytest]\naddopts = -ra --collect-only-if-memory-limit\ntestpaths = tests # main suite\nasyncio_mode = automatic\n',
        good: '[pytest]\naddopts = -ra\n# main suite\ntestpaths = tests\nasyncio_mode = auto\n',
      },
      fixSafety:
        'Native-TOML type fixes (`addopts = "-ra"` to `["-ra"]`, `timeout = 300` to `"300"`) are safe: the value is the one the file states. Removing an unknown flag, renaming a misspelt key, moving an inline comment out of a value and renaming a section are unsafe: each changes what pytest reads or whether it starts. A flag or key that some plugin may own (a registry plugin the project lacks, or anything while an unknown plugin is declared) is never removed or renamed: the missing plugin is what the message names.',
    },
  },
  async check(ctx, target) {
    const { config } = target;
    const project = target.project ? await target.project() : null;
    // Without a project reading (a target built outside an analysis), the closed world of the schemas.
    const decideName = (what: Registered, name: string): OpenWorldDecision => (project ? decide(project, what, name) : { kind: 'unknown' });
    for (const stray of config.strayTables) {
      const nameStart = stray.start + 1;
      const nameEnd = stray.end - 1;
      if (stray.reason === 'setup-cfg-pytest') {
        ctx.report({
          messageId: 'setupCfgPytest',
          start: stray.start,
          end: stray.end,
          fix: {
            title: 'Rename the section to [tool:pytest]',
            applicability: 'unsafe',
            edits: [{ file: config.file, start: nameStart, end: nameEnd, text: 'tool:pytest' }],
          },
        });
      } else if (stray.reason === 'ini-tool-pytest') {
        const hasPytest = config.ini?.sections.some((s) => s.name === 'pytest');
        ctx.report({
          messageId: 'iniToolPytest',
          start: stray.start,
          end: stray.end,
          fix: hasPytest
            ? null
            : {
                title: 'Rename the section to [pytest]',
                applicability: 'unsafe',
                edits: [{ file: config.file, start: nameStart, end: nameEnd, text: 'pytest' }],
              },
        });
      } else {
        ctx.report({ messageId: 'bothTomlTables', start: stray.start, end: stray.end });
      }
    }
    if (target.role !== 'active') return;

    const knownKeys = ctx.options.knownKeys ?? [];
    const typedObject: Record<string, unknown> = {};
    const typeFailed = new Set<string>();
    for (const entry of config.entries) {
      const info = keyInfo(entry.key);
      if (!info) {
        if (!knownKeys.includes(entry.key)) typedObject[entry.key] = entry.raw;
        continue;
      }
      const typed = typedValue(config, entry, info.type);
      if (typed.ok) {
        typedObject[info.canonical] = typeof typed.value === 'string' ? typed.value.trim() : typed.value;
        continue;
      }
      typeFailed.add(entry.key);
      const replacement = config.mode === 'toml' ? nativeTypeFix(config, entry, info.type) : null;
      ctx.report({
        messageId: 'badType',
        data: { key: entry.key, problem: typed.error ?? 'has the wrong type' },
        start: entry.valueStart,
        end: entry.valueEnd,
        fix: replacement
          ? {
              title: `Write ${entry.key} as pytest's native TOML type`,
              applicability: 'safe',
              edits: [{ file: config.file, start: entry.valueStart, end: entry.valueEnd, text: replacement }],
            }
          : null,
      });
    }

    // Everything that typed cleanly goes through the schema validator (generated from schemas/ at build time).
    if (!validatePytestConfig(typedObject)) {
      for (const error of validatePytestConfig.errors ?? []) {
        if (error.keyword === 'additionalProperties') {
          const key = String((error.params as { additionalProperty: string }).additionalProperty);
          const entry = config.entries.find((e) => e.key === key)!;
          const decision = decideName('key', key);
          if (decision.kind === 'known') continue;
          if (decision.kind === 'undeclared' || decision.kind === 'unverifiable') {
            // Open world: a key some plugin may own is never renamed away.
            ctx.report({
              messageId: decision.kind === 'undeclared' ? 'undeclaredKey' : 'unverifiableKey',
              data: decision.kind === 'undeclared' ? { key, plugin: decision.plugin, where: decision.where } : { key, why: decision.why },
              start: entry.keyStart,
              end: entry.keyEnd,
              severity: decision.kind === 'undeclared' && strictConfig(config) ? 'error' : 'warning',
            });
            continue;
          }
          const suggestion = suggestKey(key);
          const canRename = suggestion && !config.entries.some((e) => e.key === suggestion);
          ctx.report({
            messageId: suggestion ? 'unknownKeySuggest' : 'unknownKey',
            data: {
              key,
              suggestion: suggestion ?? '',
              plugins: knownPlugins()
                .filter((p) => p !== 'pytest')
                .join(', '),
            },
            start: entry.keyStart,
            end: entry.keyEnd,
            severity: 'warning',
            fix: canRename
              ? {
                  title: `Rename ${key} to ${suggestion}`,
                  applicability: 'unsafe',
                  edits: [{ file: config.file, start: entry.keyStart, end: entry.keyEnd, text: suggestion }],
                }
              : null,
          });
          continue;
        }
        const key = error.instancePath.split('/')[1] ?? '';
        const entry = config.entries.find((e) => (keyInfo(e.key)?.canonical ?? e.key) === key);
        if (!entry || typeFailed.has(entry.key)) continue;
        const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
        const problem = allowed
          ? `is ${JSON.stringify(typedObject[key])}, not one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
          : error.keyword === 'pattern'
            ? `is ${JSON.stringify(typedObject[key])}, which is not a valid value`
            : (error.message ?? 'is invalid');
        ctx.report({ messageId: 'badValue', data: { key: entry.key, problem }, start: entry.valueStart, end: entry.valueEnd });
      }
    }

    for (const entry of config.entries) {
      const comments = inlineComments(config, entry);
      if (comments.length === 0) continue;
      const eol = detectEol(config.text);
      const edits: Edit[] = [];
      for (const c of comments) {
        edits.push({ file: config.file, start: c.lineStart, end: c.lineStart, text: `${c.indent}${c.comment}${eol}` });
        edits.push({ file: config.file, start: c.cut, end: lineEndAt(config.text, c.cut), text: '' });
      }
      ctx.report({
        messageId: 'inlineComment',
        data: { comment: comments[0]!.comment, key: entry.key },
        start: comments[0]!.cut,
        end: lineEndAt(config.text, comments[0]!.cut),
        severity: 'warning',
        fix: { title: 'Move the comment to its own line', applicability: 'unsafe', edits },
      });
    }

    const addopts = parseAddopts(config, project?.local.flags);
    if (addopts) {
      const knownFlags = ctx.options.knownFlags ?? [];
      for (const token of addopts.tokens) {
        if (token.known || token.flag === null || knownFlags.includes(token.flag)) continue;
        const decision = decideName('flag', token.flag);
        if (decision.kind === 'known') continue;
        if (decision.kind === 'undeclared' || decision.kind === 'unverifiable') {
          // Open world: a flag some plugin may own is never removed; the plugin is what is missing.
          ctx.report({
            messageId: decision.kind === 'undeclared' ? 'undeclaredFlag' : 'unverifiableFlag',
            data:
              decision.kind === 'undeclared'
                ? { flag: token.flag, plugin: decision.plugin, where: decision.where }
                : { flag: token.flag, why: decision.why },
            start: token.item.start,
            end: token.item.end,
            severity: decision.kind === 'undeclared' ? 'error' : 'warning',
          });
          continue;
        }
        const standalone = token.item.value === token.flag || token.item.value.startsWith(`${token.flag}=`);
        // The flag's arity is unknown: a following word that is not an option is taken as its value, or it
        // would be left behind as a path to collect ("file or directory not found").
        const next = addopts.items?.[token.index + 1];
        const takesNext =
          token.item.value === token.flag && token.flag.startsWith('--') && next !== undefined && !next.value.startsWith('-');
        const remove = new Set(takesNext ? [token.index, token.index + 1] : [token.index]);
        const edits = standalone && addopts.items ? removeItems(config, addopts.entry, addopts.items, remove) : null;
        ctx.report({
          messageId: 'unknownFlag',
          data: { flag: token.flag },
          start: token.item.start,
          end: token.item.end,
          fix: edits
            ? {
                title: takesNext ? `Remove ${token.flag} ${next.value} from addopts` : `Remove ${token.flag} from addopts`,
                applicability: 'unsafe',
                edits,
              }
            : null,
        });
      }
    }
  },
});
