import { pathToFileURL } from 'node:url';
import { jsonText, relativePath } from './paths.js';
import type { Reporter } from './types.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/**
 * SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: one run, the rules with their
 * descriptions (stable ids, indexed), results with regions in code points (`columnKind`), paths relative to
 * `%SRCROOT%` (the working directory), and unreadable files as tool notifications.
 */
export const sarif: Reporter = ({ diagnostics, problems, cwd, tool }) => {
  const rules = [...tool.rules].sort((a, b) => (a.id < b.id ? -1 : 1));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'netra-migrate',
            version: tool.version,
            informationUri: 'https://github.com/netra-migrate/netra-migrate',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)(\w)/g, (_, _dash: string, c: string) => c.toUpperCase()),
              shortDescription: { text: r.description },
              fullDescription: { text: r.docs.what },
              help: {
                text: `${r.docs.why}\n\nFix safety: ${r.docs.fixSafety}`,
                markdown: `${r.docs.why}\n\n**Fix safety**: ${r.docs.fixSafety}`,
              },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { fix: r.fix },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith('/') ? cwd : `${cwd}/`).href } },
        columnKind: 'unicodeCodePoints',
        invocations: [
          {
            executionSuccessful: problems.length === 0,
            toolExecutionNotifications: problems.map((p) => ({
              level: 'error',
              message: { text: p.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: relativePath(cwd, p.file), uriBaseId: '%SRCROOT%' },
                    ...(p.line ? { region: { startLine: p.line, ...(p.column ? { startColumn: p.column } : {}) } } : {}),
                  },
                },
              ],
            })),
          },
        ],
        results: diagnostics.map((d) => ({
          ruleId: d.rule,
          ...(index.has(d.rule) ? { ruleIndex: index.get(d.rule) } : {}),
          level: LEVEL[d.severity],
          message: { text: d.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: relativePath(cwd, d.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: d.endColumn },
              },
            },
          ],
          ...(d.fix ? { properties: { fix: { applicability: d.fix.applicability, title: d.fix.title } } } : {}),
          // SARIF's `fixes` are proposed, not applied: the place for a suggestion `fix` never applies.
          ...(d.suggestions
            ? {
                fixes: d.suggestions.map((s) => ({
                  description: { text: s.title },
                  artifactChanges: [...new Set(s.edits.map((e) => e.file))].map((file) => ({
                    artifactLocation: { uri: relativePath(cwd, file), uriBaseId: '%SRCROOT%' },
                    replacements: s.edits
                      .filter((e) => e.file === file)
                      .map((e) => ({
                        deletedRegion: { startLine: e.line, startColumn: e.column, endLine: e.endLine, endColumn: e.endColumn },
                        insertedContent: { text: e.text },
                      })),
                  })),
                })),
              }
            : {}),
        })),
      },
    ],
  };
  return jsonText(log) + '\n';
};
