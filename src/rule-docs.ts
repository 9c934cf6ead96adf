import type { Rule, RuleMeta } from './core/rule.js';

type AnyRule = Rule<any, string, any>;

/**
 * Each runner family's default severity: a rule shared by several runners keeps each variant's own
 * (`pytest: error, jest/vitest: warning`); one severity when they agree.
 */
export function severities(meta: RuleMeta<string, unknown>): string {
  const variants = meta.variants ?? [];
  const own = meta.runners.filter((r) => !variants.some((v) => v.runners.includes(r)));
  const groups = [{ runners: own, severity: meta.severity }, ...variants.map((v) => ({ runners: v.runners, severity: v.severity }))].filter((g) => g.runners.length > 0);
  if (new Set(groups.map((g) => g.severity)).size <= 1) return meta.severity;
  return groups.map((g) => `${g.runners.join('/')}: ${g.severity}`).join(', ');
}

export function listRules(rules: readonly AnyRule[]): string {
  const rows = rules.map((r) => [r.meta.id, r.meta.runners.join(','), severities(r.meta), r.meta.fix, r.meta.description]);
  const head = ['rule', 'runners', 'severity', 'fix', 'description'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

const fence = (file: string) =>
  file.endsWith('.toml') ? 'toml' : file.endsWith('.py') ? 'python' : file.endsWith('.json') ? 'json' : /\.[cm]?tsx?$/.test(file) ? 'ts' : /\.[cm]?jsx?$/.test(file) ? 'js' : 'ini';
const comment = (file: string) => (/\.[cm]?[jt]sx?$/.test(file) ? '//' : '#');

/** One example: the file that fires, the same file as the rule wants it, and files it needs beside it. */
function exampleSection(example: RuleMeta<string, unknown>['docs']['example']): string[] {
  const lang = fence(example.file);
  const head = `${comment(example.file)} ${example.file}`;
  return [
    `\`\`\`${lang}`,
    head,
    example.bad.trimEnd(),
    '```',
    '',
    'Use instead:',
    `\`\`\`${lang}`,
    head,
    example.good.trimEnd(),
    '```',
    '',
    ...Object.entries(example.beside ?? {}).flatMap(([name, text]) => [`With, beside it, \`${name}\`:`, `\`\`\`${fence(name)}`, text.trimEnd(), '```', '']),
  ];
}

/** The same rule for another runner family: its own what, example and fix safety. */
function variantSection(variant: RuleMeta<string, unknown>): string[] {
  const title = variant.runners.map((r) => (r === 'jest' ? 'Jest' : r === 'vitest' ? 'Vitest' : r)).join(' and ');
  return [`## ${title}`, `Default severity: ${variant.severity}.`, '', variant.docs.what, '', variant.docs.why, '', '### Example', ...exampleSection(variant.docs.example), '### Fix safety', variant.docs.fixSafety, ''];
}

/** Ruff's rule page: What it does / Why is this bad? / Example / Fix safety / Options. */
export function ruleMarkdown(rule: AnyRule): string {
  const { meta } = rule;
  const opts = Object.entries((meta.options.properties ?? {}) as Record<string, { description?: string; default?: unknown }>);
  return [
    `# ${meta.id}`,
    '',
    `${meta.description} Default severity: ${severities(meta)}. Runners: ${meta.runners.join(', ')}. Fix: ${meta.fix}.`,
    '',
    '## What it does',
    meta.docs.what,
    '',
    '## Why is this bad?',
    meta.docs.why,
    '',
    '## Example',
    ...exampleSection(meta.docs.example),
    '## Fix safety',
    meta.docs.fixSafety,
    '',
    '## Options',
    opts.length === 0
      ? 'None.'
      : opts.map(([k, v]) => `- \`${k}\`: ${v.description ?? ''}${v.default !== undefined ? ` (default: ${JSON.stringify(v.default)})` : ''}`).join('\n'),
    '',
    ...(meta.variants ?? []).flatMap(variantSection),
  ].join('\n');
}

export function explainRule(rules: readonly AnyRule[], id: string): string | null {
  const rule = rules.find((r) => r.meta.id === id);
  return rule ? ruleMarkdown(rule) : null;
}

/** The generated documentation set: one page per rule and an index (docs/rules/, `npm run schemas`). */
export function ruleDocFiles(rules: readonly AnyRule[]): Record<string, string> {
  const files: Record<string, string> = {};
  const sorted = [...rules].sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1));
  for (const rule of sorted) files[`${rule.meta.id}.md`] = ruleMarkdown(rule);
  files['README.md'] = [
    '# Rules',
    '',
    'Generated from the rules\' metadata (`npm run schemas`); `netra-migrate explain <rule>` prints the same page.',
    '',
    '| rule | runners | severity | fix | description |',
    '| --- | --- | --- | --- | --- |',
    ...sorted.map((r) => `| [${r.meta.id}](${r.meta.id}.md) | ${r.meta.runners.join(', ')} | ${severities(r.meta)} | ${r.meta.fix} | ${r.meta.description} |`),
    '',
  ].join('\n');
  return files;
}
