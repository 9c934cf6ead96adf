// Generated from the rules (npm run schemas): schemas/netra-migrate-config.schema.json from their option
// schemas, and docs/rules/ from their metadata. test/tool-config.test.ts and test/meta.test.ts fail when
// the committed files are stale.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolConfigSchema } from '../src/core/tool-config.js';
import { preCommitFilesPattern } from '../src/file-kinds.js';
import { ruleDocFiles, withRuleTable } from '../src/rule-docs.js';
import { allRules } from '../src/rules.js';

const root = join(import.meta.dirname, '..');
writeFileSync(join(root, 'schemas', 'netra-migrate-config.schema.json'), JSON.stringify(toolConfigSchema(allRules), null, 2) + '\n');
const docs = join(root, 'docs', 'rules');
mkdirSync(docs, { recursive: true });
for (const f of readdirSync(docs)) rmSync(join(docs, f));
for (const [name, text] of Object.entries(ruleDocFiles(allRules))) writeFileSync(join(docs, name), text);
const readme = join(root, 'README.md');
writeFileSync(readme, withRuleTable(readFileSync(readme, 'utf8'), allRules));
// The hooks' `files` lines, from the analyzers' declared file kinds (the rest of the file is kept as written).
const hooks = join(root, '.pre-commit-hooks.yaml');
const pattern = preCommitFilesPattern().replace(/'/g, "''");
writeFileSync(
  hooks,
  readFileSync(hooks, 'utf8').replace(/^( +files: ).*$/gm, (_line, lead: string) => `${lead}'${pattern}'`),
);
process.stdout.write(
  'wrote schemas/netra-migrate-config.schema.json, docs/rules/, the README rule table and the files pattern of .pre-commit-hooks.yaml\n',
);
