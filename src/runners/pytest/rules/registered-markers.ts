import type { Edit } from '../../../core/diagnostic.js';
import { registeredMarks, strictMarkers } from '../markers.js';
import { defineRule } from '../../../core/rule.js';
import { detectEol } from '../../../core/text.js';
import { getEntry, type PytestConfig } from '../config.js';
import { appendItems, insertEntries, renderValue } from '../edit.js';
import { isActive } from '../rule-kit.js';
import { KNOWN_MARKS } from '../sources.js';
import { type PytestTarget } from '../target.js';
import { decide, type OpenWorldDecision } from '../open-world.js';

/** How many mark names a fix title lists before "and N more". */
const TITLE_NAMES = 10;

/** Register marker names in `markers`, one per line, in the entry's own layout. */
function registerEdit(config: PytestConfig, names: readonly string[]): Edit | null {
  const entry = getEntry(config, 'markers');
  const eol = detectEol(config.text);
  if (!entry) {
    if (config.format === 'ini') {
      // `markers =` then one indented line per mark (no space left after the `=`).
      const edit = insertEntries(config, [['markers', '\u0000']]);
      return { ...edit, text: edit.text.replace(/[ \t]*\u0000/, names.map((n) => `${eol}    ${n}`).join('')) };
    }
    return insertEntries(config, [['markers', renderValue(config, 'linelist', [...names])]]);
  }
  if (entry.toml?.type === 'TOMLArray') return appendItems(config, entry, null, names);
  if (entry.ini) {
    const cont = entry.ini.continuations;
    const last = cont[cont.length - 1];
    const indent = last ? config.text.slice(last.start, last.dataStart) : '    ';
    const at = last ? last.end : entry.valueEnd;
    return { file: config.file, start: at, end: at, text: names.map((n) => `${eol}${indent}${n}`).join('') };
  }
  // A TOML string holding lines: rewriting it would need its quoting; leave it to the user.
  return null;
}

export default defineRule<PytestTarget, 'unregistered' | 'undeclared' | 'unverifiable', Record<string, never>>({
  meta: {
    id: 'registered-markers',
    runners: ['pytest'],
    severity: 'error',
    fix: 'safe',
    sources: true,
    description: 'Every mark the tests use is registered while strict markers are on.',
    messages: {
      unregistered:
        '`@pytest.mark.{{name}}` is not registered in `markers` of {{config}}, and strict markers are on: pytest stops collecting with "\'{{name}}\' not found in `markers` configuration option"',
      undeclared:
        '`@pytest.mark.{{name}}` ({{uses}}) needs {{plugin}}, which the project does not declare in {{where}}: without it, strict markers stop collection ("\'{{name}}\' not found in `markers` configuration option")',
      unverifiable: '`@pytest.mark.{{name}}` ({{uses}}) is not registered in {{config}} and cannot be verified: {{why}}',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: "Flags a mark used in a test module or conftest.py (decorator, `pytestmark`, class-level `pytestmark`) that the governing config does not register, when `--strict-markers` (or `strict`) is on. pytest's own marks and those of pytest-asyncio, pytest-timeout, pytest-cov and pytest-xdist are known, and so are marks of plugins the project declares or has installed, and marks its conftest.py and local plugins register with `config.addinivalue_line('markers', ...)`. A mark of a registry plugin the project does not declare is an error naming the plugin; a mark nobody registers while the project declares a plugin netra-migrate has no record of is a warning.",
      why: 'Under strict markers an unregistered mark is a collection error for the whole module; without them it is a typo that silently selects nothing (`-m docker_safe` runs no test).',
      example: {
        file: 'test_api.py',
        bad: 'import pytest\n\n@pytest.mark.docker_safe\ndef test_ping():\n    pass\n',
        good: 'import pytest\n\n@pytest.mark.slow\ndef test_ping():\n    pass\n',
        beside: { 'pytest.ini': '[pytest]\naddopts = --strict-markers\nmarkers =\n    slow: long-running\n' },
      },
      fixSafety:
        "Safe: the fix registers every missing mark that no plugin may own in the config's `markers` (one line each, in the entry's layout); marks a plugin may register get no fix. Selection and results do not change.",
    },
  },
  async check(ctx, target) {
    if (!isActive(target) || !target.sources || !strictMarkers(target.config)) return;
    const registered = registeredMarks(target.config);
    const project = target.project ? await target.project() : null;
    const config = target.config.file.slice(target.rootDir.length + 1);
    const missing: { name: string; file: string; start: number; end: number }[] = [];
    // A mark a plugin may own is said once per config, at its first use, with the count of its uses: the
    // same unverifiable name in 30 modules is one fact about the project's dependencies, not 30 findings.
    const owned = new Map<
      string,
      { decision: OpenWorldDecision; file: string; start: number; end: number; uses: number; files: Set<string> }
    >();
    for (const source of target.sources) {
      const seen = new Set<string>();
      for (const mark of source.marks) {
        if (KNOWN_MARKS.has(mark.name) || registered.has(mark.name)) continue;
        const first = owned.get(mark.name);
        if (first) {
          first.uses++;
          first.files.add(source.file);
          continue;
        }
        if (seen.has(mark.name)) continue;
        seen.add(mark.name);
        const decision: OpenWorldDecision = project ? decide(project, 'mark', mark.name) : { kind: 'unknown' };
        if (decision.kind === 'known') continue;
        // Open world: a mark some plugin may register gets no fix when the plugin is what is missing.
        if (decision.kind === 'undeclared' || decision.kind === 'unverifiable')
          owned.set(mark.name, { decision, file: source.file, start: mark.start, end: mark.end, uses: 1, files: new Set([source.file]) });
        else missing.push({ name: mark.name, file: source.file, start: mark.start, end: mark.end });
      }
    }
    const usesOf = (o: { uses: number; files: Set<string> }) =>
      o.uses === 1 ? 'used once' : `used ${o.uses} times in ${o.files.size} file${o.files.size === 1 ? '' : 's'}`;
    const unverifiable: { name: string; file: string; start: number; end: number; why: string; uses: string }[] = [];
    for (const [name, o] of owned) {
      if (o.decision.kind === 'undeclared')
        ctx.report({
          messageId: 'undeclared',
          data: { name, uses: usesOf(o), plugin: o.decision.plugin, where: o.decision.where },
          file: o.file,
          start: o.start,
          end: o.end,
        });
      // Registering a mark removes nothing (a plugin registering it too is harmless): the safe fix stays.
      else if (o.decision.kind === 'unverifiable')
        unverifiable.push({ name, file: o.file, start: o.start, end: o.end, why: o.decision.why, uses: usesOf(o) });
    }
    if (missing.length === 0 && unverifiable.length === 0) return;
    const names = [...new Set([...missing, ...unverifiable].map((m) => m.name))].sort();
    const edit = registerEdit(target.config, names);
    // One fix registers them all, so any number of marks converges in one pass.
    // Every finding carries this title (json, sarif and github print it per finding): at most TITLE_NAMES names,
    // so 20,000 marks print 20,000 short titles, not 20,000 lists of 20,000 names.
    const listed =
      names.length > TITLE_NAMES ? `${names.slice(0, TITLE_NAMES).join(', ')} and ${names.length - TITLE_NAMES} more` : names.join(', ');
    const fix = edit ? { title: `Register ${listed} in markers`, applicability: 'safe' as const, edits: [edit] } : null;
    for (const m of unverifiable)
      ctx.report({
        messageId: 'unverifiable',
        data: { name: m.name, uses: m.uses, config, why: m.why },
        file: m.file,
        start: m.start,
        end: m.end,
        severity: 'warning',
        fix,
      });
    for (const m of missing)
      ctx.report({ messageId: 'unregistered', data: { name: m.name, config }, file: m.file, start: m.start, end: m.end, fix });
  },
});
