import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';

const require = createRequire(import.meta.url);

/** Validates a SARIF log against the official 2.1.0 schema (shipped in @microsoft/jest-sarif). */
export function assertValidSarif(log: unknown): void {
  const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  // The official schema has a `language` pattern that is invalid under the u flag: compile without it.
  const Ajv04 = (AjvDraft04 as unknown as { default: typeof AjvDraft04 }).default ?? AjvDraft04;
  const ajv = new (Ajv04 as unknown as new (o: object) => import('ajv').default)({
    allErrors: true,
    strict: false,
    validateFormats: false,
    unicodeRegExp: false,
  });
  const validate = ajv.compile(schema);
  assert.equal(validate(log), true, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
}
