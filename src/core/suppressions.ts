/**
 * Suppression comments, as Ruff's `# noqa` and ESLint's disable comments work:
 *
 *   # netra-migrate: ignore[rule-id, other-id]   on the line of a finding, or alone on the line above it
 *   # netra-migrate: ignore                       every rule, same placement
 *   # netra-migrate: ignore-file[rule-id]         anywhere in the file: the whole file
 *   // netra-migrate-ignore-next-line rule-id     JS/TS: the next line (ignore-file likewise)
 *
 * In INI files a comment must be a line of its own (`;` or `#` first): pytest's reader treats `#` after a
 * value as part of the value, so a trailing "comment" is data there and is not read as a suppression.
 * A suppression that suppresses nothing is itself reported (`unused-suppression`), with a safe fix that
 * removes it.
 */
import type { Diagnostic } from './diagnostic.js';
import { defineRule, formatMessage } from './rule.js';
import { LineIndex } from './text.js';

export interface Suppression {
  file: string;
  /** The comment's range (from the comment marker to the end of the line's content). */
  start: number;
  end: number;
  /** The range a removal deletes: the whole line for a comment alone on its line, else the comment and the space before it. */
  removeStart: number;
  removeEnd: number;
  /** Rule ids named; empty means every rule. */
  rules: string[];
  scope: 'line' | 'file';
  /** 1-based lines it covers (scope line). */
  lines: number[];
}

const HASH = /(^|\s)([#;])\s*netra-migrate:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?/;
const SLASH = /(^|\s)(\/\/)\s*netra-migrate-(ignore-file|ignore-next-line)\b\s*([\w-]+(?:\s*,\s*[\w-]+)*)?/;

function kindOf(file: string): 'ini' | 'toml' | 'python' | 'js' | null {
  if (/\.(ini|cfg)$/.test(file)) return 'ini';
  if (file.endsWith('.toml')) return 'toml';
  if (file.endsWith('.py')) return 'python';
  if (/\.[cm]?[jt]sx?$/.test(file)) return 'js';
  return null;
}

/**
 * The comment that suppresses `rule` on the line below it, in the file's own syntax (what an editor's "ignore
 * this finding" inserts on a line of its own above the finding); null where the file kind has no suppressions.
 */
export function suppressionComment(file: string, rule: string): string | null {
  const kind = kindOf(file);
  if (kind === null) return null;
  return kind === 'js' ? `// netra-migrate-ignore-next-line ${rule}` : `# netra-migrate: ignore[${rule}]`;
}

export function findSuppressions(file: string, text: string): Suppression[] {
  const kind = kindOf(file);
  if (!kind || !text.includes('netra-migrate')) return [];
  const out: Suppression[] = [];
  const index = new LineIndex(text);
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineStart = index.lineStart(i + 1);
    const m = (kind === 'js' ? SLASH : HASH).exec(line);
    if (m && !(kind !== 'ini' && m[2] === ';') && !(kind === 'js' && m[2] !== '//')) {
      const at = m.index + m[1]!.length;
      const alone = line.slice(0, at).trim() === '';
      // INI: only a comment line is a comment.
      if (kind === 'ini' && !alone) continue;
      const fileScope = m[3] === 'ignore-file';
      const rules = (m[4] ?? '')
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      const nextLine = index.lineStart(i + 2);
      let removeStart = lineStart;
      if (!alone) {
        // The comment and every blank before it, so no trailing space is left.
        removeStart = lineStart + at;
        while (removeStart > lineStart && (text[removeStart - 1] === ' ' || text[removeStart - 1] === '\t')) removeStart--;
      }
      const removeEnd = alone ? nextLine : lineStart + line.length;
      out.push({
        file,
        start: lineStart + at,
        end: lineStart + line.length,
        removeStart,
        removeEnd,
        rules,
        scope: fileScope ? 'file' : 'line',
        // Alone on its line: the next line (and itself); after code: its own line. JS's form names the next line.
        lines: kind === 'js' ? [i + 2] : alone ? [i + 1, i + 2] : [i + 1],
      });
    }
  }
  return out;
}

export const unusedSuppression = defineRule<unknown, 'unused' | 'unknownRule', Record<string, never>>({
  meta: {
    id: 'unused-suppression',
    runners: ['pytest', 'jest', 'vitest'],
    severity: 'warning',
    fix: 'safe',
    description: 'Every suppression comment suppresses a finding.',
    messages: {
      unused: 'this suppression{{which}} suppresses nothing',
      unknownRule: '`{{rule}}` in this suppression is not a netra-migrate rule',
    },
    options: { type: 'object', properties: {}, additionalProperties: false },
    defaultOptions: {},
    docs: {
      what: 'Flags a `netra-migrate: ignore[...]` comment (or `ignore-file`, or `netra-migrate-ignore-next-line` in JS/TS) that suppressed no finding in this run, or that names a rule that does not exist.',
      why: 'A stale suppression hides the next real finding on that line, and a misspelt rule id suppresses nothing while looking as if it did.',
      example: {
        file: 'pytest.ini',
        bad: '[pytest]\ntimeout = 60\n# netra-migrate: ignore\ntestpaths = tests\n',
        good: '[pytest]\ntestpaths = tests\ntimeout = 60\n',
      },
      fixSafety:
        'Safe: the fix deletes the comment (the whole line when the comment is alone on it); findings and behaviour do not change.',
    },
  },
  check() {
    // Reported by the engine, which alone sees which suppressions were used (applySuppressions).
  },
});

/**
 * Drop the findings that suppressions cover; report the suppressions that covered none (or name unknown
 * rules) when the unused-suppression rule is on. A suppression counts as used for a rule that is turned off
 * in this run only if it would have matched, so `--rule x:off` does not make x's suppressions "unused": those
 * are left unjudged.
 */
export function applySuppressions(
  diagnostics: Diagnostic[],
  texts: ReadonlyMap<string, string>,
  known: ReadonlySet<string>,
  enabled: (rule: string) => boolean,
  unused: { report: boolean; severity: Diagnostic['severity'] },
): Diagnostic[] {
  const { severity } = unused;
  const kept: Diagnostic[] = [];
  const byFile = new Map<string, { list: Suppression[]; index: LineIndex }>();
  for (const [file, text] of texts) {
    const list = findSuppressions(file, text);
    if (list.length > 0) byFile.set(file, { list, index: new LineIndex(text) });
  }
  const used = new Set<Suppression>();
  for (const d of diagnostics) {
    const entry = byFile.get(d.file);
    if (!entry) {
      kept.push(d);
      continue;
    }
    const line = entry.index.position(d.start).line;
    const by = entry.list.find((s) => (s.rules.length === 0 || s.rules.includes(d.rule)) && (s.scope === 'file' || s.lines.includes(line)));
    if (by) used.add(by);
    else kept.push(d);
  }
  if (!unused.report) return kept;
  const finding = (s: Suppression, messageId: 'unknownRule' | 'unused', data: Record<string, string>): Diagnostic => ({
    file: s.file,
    start: s.start,
    end: s.end,
    rule: unusedSuppression.meta.id,
    severity,
    message: formatMessage(unusedSuppression.meta.messages[messageId], data),
    messageId,
    data,
  });
  for (const { list } of byFile.values()) {
    for (const s of list) {
      const unknown = s.rules.filter((r) => !known.has(r));
      for (const rule of unknown) kept.push(finding(s, 'unknownRule', { rule }));
      if (used.has(s) || unknown.length > 0) continue;
      // Only judge suppressions of rules that ran: a rule turned off finds nothing to suppress.
      if (s.rules.length > 0 && !s.rules.some((r) => enabled(r))) continue;
      const which = s.rules.length > 0 ? ` of ${s.rules.join(', ')}` : '';
      kept.push({
        ...finding(s, 'unused', { which }),
        fix: {
          title: 'Remove the unused suppression',
          applicability: 'safe',
          edits: [{ file: s.file, start: s.removeStart, end: s.removeEnd, text: '' }],
        },
      });
    }
  }
  return kept;
}
