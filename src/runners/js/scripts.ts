/**
 * Configs a package runs by name: `jest --config jest.int.config.js` or `vitest run -c vitest.node.ts` in
 * package.json `scripts`. Such a config is read like any other even when its name is not one the directory
 * walk recognises.
 */
import { join } from 'node:path';
import { shlexSplit, ShlexError } from '../../formats/shlex.js';
import type { JsRunner } from './config.js';

/** Where one command of a script line ends (`a && b`, `a; b`, `a | b`). */
const SEPARATORS = new Set(['&&', '||', ';', '|', '&']);

/** The runner a command word starts, if any: `jest`, `node_modules/.bin/vitest`, `jest/bin/jest.js`, `vitest.mjs`. */
function runnerOf(word: string): JsRunner | null {
  const name = word.split(/[\\/]/).pop()!;
  if (/^jest(?:\.js)?$/.test(name)) return 'jest';
  if (/^vitest(?:\.mjs)?$/.test(name)) return 'vitest';
  return null;
}

/** The words of one script line, `&&`, `||` and `;` as words of their own; null when it does not split (an open quote). */
function scriptWords(script: string): string[] | null {
  try {
    // Separators glued to words (`a&&b`) are rare in package.json; split the common spaced forms.
    return shlexSplit(script.replace(/(&&|\|\||;)/g, ' $1 ')).map((t) => t.value);
  } catch (e) {
    if (e instanceof ShlexError) return null;
    throw e;
  }
}

/** Each Jest or Vitest command of one script line, with the config it names after `--config`/`-c` (null: none, so the runner finds its own). */
export function runnerCommandsOf(script: string): { runner: JsRunner; config: string | null }[] {
  const tokens = scriptWords(script);
  if (tokens === null) return [];
  const out: { runner: JsRunner; config: string | null }[] = [];
  let current: { runner: JsRunner; config: string | null } | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (SEPARATORS.has(token)) {
      current = null;
      continue;
    }
    if (current === null) {
      const runner = runnerOf(token);
      if (runner) out.push((current = { runner, config: null }));
      continue;
    }
    let path: string | undefined;
    if (token === '--config' || token === '-c') path = tokens[++i];
    else if (token.startsWith('--config=') || token.startsWith('-c=')) path = token.slice(token.indexOf('=') + 1);
    // `--config '{"testTimeout": 1}'` is Jest's inline JSON config, not a file.
    if (path !== undefined && path !== '' && !path.trimStart().startsWith('{') && !SEPARATORS.has(path)) current.config = path;
  }
  return out;
}

/** The config files named after `--config`/`-c` in one script line, resolved from the package's directory. */
export function scriptConfigsOf(script: string, dir: string): { file: string; runner: JsRunner }[] {
  return runnerCommandsOf(script).flatMap((c) => (c.config === null ? [] : [{ file: join(dir, c.config), runner: c.runner }]));
}

/** Every config a package.json's scripts name; nothing for a manifest that is not JSON (reported where it is read). */
export function scriptConfigs(manifest: string, dir: string): { file: string; runner: JsRunner }[] {
  if (!/--config|\s-c[\s=]/.test(manifest)) return [];
  let scripts: unknown;
  try {
    scripts = (JSON.parse(manifest.replace(/^\uFEFF/, '')) as { scripts?: unknown }).scripts;
  } catch {
    return [];
  }
  if (typeof scripts !== 'object' || scripts === null) return [];
  return Object.values(scripts).flatMap((s) => (typeof s === 'string' ? scriptConfigsOf(s, dir) : []));
}

/** One run of a runner in a script line: the environment it is given, node's own flags, the runner's arguments. */
export interface ScriptRun {
  runner: JsRunner;
  /** `NAME=value` before the command, also through `cross-env` / `env`. */
  env: Record<string, string>;
  /** Flags given to `node` itself (`node --max-old-space-size=8192 node_modules/.bin/jest`). */
  nodeArgs: string[];
  /** The runner's own arguments, up to the end of its command. */
  args: string[];
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/**
 * The runs of Jest or Vitest in one script line (`NODE_OPTIONS=--max-old-space-size=8192 vitest run
 * --no-file-parallelism`, `cross-env NODE_OPTIONS=... jest -i`, `node --max-old-space-size=8192
 * node_modules/.bin/jest`): words before the runner are assignments, node and its flags, or launchers
 * (`npx`, `pnpm exec`, `cross-env`), which say nothing about the run.
 */
export function scriptRunsOf(script: string): ScriptRun[] {
  const tokens = scriptWords(script);
  if (tokens === null) return [];
  const out: ScriptRun[] = [];
  let current: ScriptRun | null = null;
  let env: Record<string, string> = {};
  let nodeArgs: string[] = [];
  let inNode = false;
  for (const token of tokens) {
    if (SEPARATORS.has(token)) {
      current = null;
      env = {};
      nodeArgs = [];
      inNode = false;
      continue;
    }
    if (current) {
      current.args.push(token);
      continue;
    }
    const runner = runnerOf(token);
    if (runner) {
      current = { runner, env, nodeArgs, args: [] };
      out.push(current);
      continue;
    }
    const assignment = ASSIGNMENT.exec(token);
    if (assignment && !inNode) env = { ...env, [assignment[1]!]: assignment[2]! };
    else if (token === 'node') inNode = true;
    else if (inNode && token.startsWith('-')) nodeArgs = [...nodeArgs, token];
  }
  return out;
}
