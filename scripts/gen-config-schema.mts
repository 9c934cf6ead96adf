// Writes schemas/netra-migrate-config.schema.json from the rules' own option schemas (npm run schemas).
// test/tool-config.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolConfigSchema } from '../src/core/tool-config.js';
import { allRules } from '../src/rules.js';

const file = join(import.meta.dirname, '..', 'schemas', 'netra-migrate-config.schema.json');
writeFileSync(file, JSON.stringify(toolConfigSchema(allRules), null, 2) + '\n');
process.stdout.write(`wrote ${file}\n`);
