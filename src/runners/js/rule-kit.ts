/** What the JS rules share: where a config's options are, and how to add missing ones. */
import type { Edit } from '../../core/diagnostic.js';
import { closestName } from '../../core/text.js';
import { property, type JsObject, type JsProperty } from '../../formats/js.js';
import { insertProperties, type Literal } from '../../formats/js-edit.js';
import { JS_OPTIONS } from '../../generated/js-options.js';
import { CURRENT_VERSION, type JsConfigTarget } from './config.js';

/**
 * The options a rule can reason about: the object (Jest's config, Vitest's `test` block), or an absent
 * `test` block (every key missing). Null when a missing key cannot be claimed: the config is computed at
 * run time, or a computed spread may add keys (`known-options` says so, once).
 */
export function readableOptions(target: JsConfigTarget): { object: JsObject | null } | null {
  if (target.kind === 'workspace') return null;
  if (target.options) return target.options.opaque ? null : { object: target.options };
  if (target.runner === 'vitest' && target.config && !target.testProperty && !target.config.opaque) return { object: null };
  return null;
}

export function option(target: JsConfigTarget, key: string): JsProperty | undefined {
  return target.options ? property(target.options, key) : undefined;
}

/** The runner's name as users write it. */
export const runnerTitle = (target: JsConfigTarget) => (target.runner === 'jest' ? 'Jest' : 'Vitest');

/** What a finding is about: `Jest config`, `Vitest config`, or `Vitest project \`unit\``. */
export const subject = (target: JsConfigTarget) =>
  target.project ? `${runnerTitle(target)} project \`${target.project}\`` : `${runnerTitle(target)} config`;

/**
 * Whether Jest takes `key` from another config than this one: a project's root-only options come from the
 * root config of the `projects` run (jest-config's GLOBAL_ONLY_OPTIONS, and `testTimeout`).
 */
export function readFromRoot(target: JsConfigTarget, key: string): boolean {
  return target.runner === 'jest' && target.jestRoot !== undefined && JEST_ROOT_ONLY.has(key);
}
/** Root-only options of the installed Jest (jest-config's own table; the same list applies to the other majors known). */
const JEST_ROOT_ONLY = new Set(JS_OPTIONS.jest[CURRENT_VERSION.jest]?.rootOnly ?? []);

/**
 * Whether the options hold a misspelling of `key` (`testTimout`): known-options offers the rename, and adding
 * `key` beside it in the same pass would leave the key twice.
 */
export function misspelt(target: JsConfigTarget, key: string): boolean {
  return (target.options?.properties ?? []).some((p) => p.key !== key && closestName(p.key, [key]) === key);
}

/**
 * Edits adding options: into the options object, or (Vitest) a new `test` block in the config. Null when the
 * object they go into is written in another file (a merged base config: the user picks where they belong).
 */
export function addOptions(target: JsConfigTarget, entries: readonly (readonly [string, Literal])[]): Edit[] | null {
  if (entries.some(([key]) => misspelt(target, key))) return null;
  if (target.options) {
    if (target.options.literal.file !== target.file || target.options.literal.readOnly) return null;
    return insertProperties(target.text, target.options.literal, entries, target.style);
  }
  if (target.runner === 'vitest' && target.config && !target.testProperty && target.config.literal.file === target.file) {
    return [
      ...insertProperties(target.text, target.config.literal, [['test', Object.fromEntries(entries)]], target.style),
      ...vitestTypes(target),
    ];
  }
  return null;
}

/** Where a finding about a missing option points: the options object's opening brace (or the config's). */
export function missingAt(target: JsConfigTarget): { start: number; end: number } {
  const object = target.options ?? target.config;
  if (object && object.literal.file === target.file) return { start: object.literal.start, end: object.literal.start + 1 };
  return { start: 0, end: 0 };
}

/**
 * Vite's own `defineConfig` does not type a `test` block (`'test' does not exist in type 'UserConfigExport'`):
 * as Vitest documents, a config that imports it from 'vite' gets `/// <reference types="vitest/config" />`
 * when a fix adds the block. Nothing for a config on 'vitest/config' or one that has the reference.
 */
function vitestTypes(target: JsConfigTarget): Edit[] {
  const { text } = target;
  if (!/from\s*['"]vite['"]|require\(\s*['"]vite['"]\s*\)/.test(text) || /<reference\s+types=["']vitest(?:\/config)?["']/.test(text))
    return [];
  // After a BOM and a shebang line: the reference must stay among the file's leading comments.
  let at = text.startsWith('\uFEFF') ? 1 : 0;
  if (text.startsWith('#!', at)) at = text.indexOf('\n', at) + 1 || text.length;
  return [{ file: target.file, start: at, end: at, text: `/// <reference types="vitest/config" />${target.style.eol}` }];
}
