/**
 * Places outside the pytest config that launch pytest, read statically as the CI steps are: tox `commands`
 * (tox.ini `[testenv]`/`[testenv:NAME]`, pyproject `[tool.tox]` native tables or `legacy_tox_ini`), nox
 * sessions (`session.run("pytest", ...)` in noxfile.py), Makefile recipes and shell scripts under
 * `scripts/`. Each yields command sites: the simple commands it runs, each with the directory it runs in.
 */
import { basename, dirname, resolve } from 'node:path';
import { parseIni } from '../../formats/ini.js';
import { findCalls } from '../../formats/python-calls.js';
import { shellCommands, type ShellWord } from '../../formats/shell.js';
import { keyValues, parseToml, tomlValue, type TomlContent } from '../../formats/toml.js';

export interface SiteCommand {
  words: ShellWord[];
  /** The directory it runs in; null after a `cd` that cannot be followed statically. */
  cwd: string | null;
}

export interface CommandSite {
  /** What runs it, for messages: `test / Run tests`, `tox env py312`, `nox session tests`, `make test`. */
  name: string;
  at: { start: number; end: number };
  commands: SiteCommand[];
}

/** Simple commands of a shell text run from `cwd`, following `cd DIR` (and `pushd`) as the shell would. */
export function shellSite(text: string, cwd: string | null): SiteCommand[] {
  const out: SiteCommand[] = [];
  let dir = cwd;
  for (const command of shellCommands(text)) {
    const [head, target] = command.words;
    if (head && (head.value === 'cd' || head.value === 'pushd')) {
      dir =
        !target || target.dynamic || target.value.startsWith('~') || target.value === '-'
          ? null
          : dir === null
            ? null
            : resolve(dir, target.value);
      continue;
    }
    out.push({ words: command.words, cwd: dir });
  }
  return out;
}

const word = (value: string, at: number, dynamic = false): ShellWord => ({ value, start: at, end: at, dynamic, glob: /[*?[]/.test(value) });

// --- tox ---------------------------------------------------------------------------------------------

/** tox substitutions: `{posargs}` is empty, `{posargs:DEFAULT}` its default, `{toxinidir}` the ini's directory; others unknown. */
function toxSubstitute(line: string, toxinidir: string, lookup: (section: string, key: string) => string | undefined, depth = 0): string {
  return line.replace(/\{([^{}]*)\}/g, (whole, inner: string) => {
    if (inner === 'posargs' || inner === '') return '';
    if (inner.startsWith('posargs:')) return inner.slice('posargs:'.length);
    if (inner === 'toxinidir' || inner === 'toxworkdir' || inner === 'tox_root') return toxinidir;
    const ref = /^\[([^\]]+)\](.+)$/.exec(inner);
    const found = ref ? lookup(ref[1]!, ref[2]!) : undefined;
    if (found !== undefined && depth < 5) return toxSubstitute(found, toxinidir, lookup, depth + 1);
    // Left as a parameter the shell reader marks dynamic.
    return `\${${inner.replace(/[{}]/g, '')}}`;
  });
}

/** tox's INI: each `commands` line one command; `\` at a line's end continues it; `factor:` prefixes select envs. */
export function toxIniSites(file: string, text: string, base = 0, baseEnd?: number): CommandSite[] {
  const doc = parseIni(text);
  // A tox.ini iniconfig cannot read is the pytest analyzer's to report; tox itself may still read it.
  if (doc.error) return [];
  const toxinidir = dirname(file);
  const lookup = (section: string, key: string) => doc.sections.find((s) => s.name === section)?.entries.find((e) => e.name === key)?.value;
  const sites: CommandSite[] = [];
  for (const section of doc.sections) {
    if (!/^testenv(:|$)/.test(section.name)) continue;
    const commands =
      section.entries.find((e) => e.name === 'commands') ??
      (section.name === 'testenv' ? undefined : doc.sections.find((s) => s.name === 'testenv')?.entries.find((e) => e.name === 'commands'));
    if (!commands) continue;
    const changedir = section.entries.find((e) => e.name === 'changedir' || e.name === 'change_dir')?.value;
    const cwd = changedir ? resolve(toxinidir, toxSubstitute(changedir.trim(), toxinidir, lookup)) : toxinidir;
    const own = section.entries.includes(commands);
    const at = own
      ? { start: base + commands.keyLine.start, end: base + (commands.continuations.at(-1)?.end ?? commands.keyLine.end) }
      : { start: base + section.line.start, end: base + section.line.end };
    const lines = toxSubstitute(commands.value, toxinidir, lookup).replace(/\\\n/g, ' ').split('\n');
    const site: CommandSite = {
      name: `tox [${section.name}]`,
      at: baseEnd !== undefined ? { start: base, end: baseEnd } : at,
      commands: [],
    };
    for (const raw of lines) {
      // `py311,py312: pytest ...` runs only in those envs; `- cmd` ignores the exit code.
      const line = raw.replace(/^\s*!?[\w{},.-]+(?:-!?[\w{},.-]+)*:\s+/, '').replace(/^\s*-\s*/, '');
      for (const c of shellCommands(line)) site.commands.push({ words: c.words, cwd });
    }
    sites.push(site);
  }
  return sites;
}

/** pyproject `[tool.tox]`: native `env_run_base` / `env.NAME` tables (`commands = [["pytest", ...]]`) or `legacy_tox_ini`. */
export function pyprojectToxSites(file: string, text: string): CommandSite[] {
  if (!text.includes('tool.tox') && !/\[tool\]/.test(text)) return [];
  const doc = parseToml(text);
  if (!doc.ast) return [];
  const sites: CommandSite[] = [];
  const root = dirname(file);
  const changeDirs = new Map<string, string>();
  const commandLists: { env: string; node: TomlContent; start: number; end: number }[] = [];
  for (const { path, node } of keyValues(doc.ast)) {
    if (path[0] !== 'tool' || path[1] !== 'tox') continue;
    const rest = path.slice(2);
    if (rest.length === 1 && rest[0] === 'legacy_tox_ini' && node.value.type === 'TOMLValue' && typeof node.value.value === 'string') {
      sites.push(
        ...toxIniSites(file, String(node.value.value), node.range[0], node.range[1]).map((s) => ({
          ...s,
          at: { start: node.range[0], end: node.range[1] },
        })),
      );
      continue;
    }
    const env = rest[0] === 'env_run_base' ? 'env_run_base' : rest[0] === 'env' && rest.length === 3 ? rest[1]! : null;
    const key = rest.at(-1);
    if (!env) continue;
    if (key === 'change_dir' && node.value.type === 'TOMLValue') changeDirs.set(env, String(node.value.value));
    if (key === 'commands') commandLists.push({ env, node: node.value, start: node.range[0], end: node.range[1] });
  }
  for (const { env, node, start, end } of commandLists) {
    const value = tomlValue(node);
    if (!Array.isArray(value)) continue;
    const dir = changeDirs.get(env) ?? changeDirs.get('env_run_base');
    const cwd = dir ? resolve(root, dir.replace(/\{(toxinidir|tox_root)\}/g, root)) : root;
    const site: CommandSite = { name: `tox [tool.tox.${env === 'env_run_base' ? env : `env.${env}`}]`, at: { start, end }, commands: [] };
    for (const command of value) {
      if (!Array.isArray(command)) continue;
      const words: ShellWord[] = [];
      for (const item of command) {
        if (typeof item === 'string') words.push(word(item, start));
        else if (item && typeof item === 'object' && (item as Record<string, unknown>).replace === 'posargs') {
          const fallback = (item as Record<string, unknown>).default;
          if (Array.isArray(fallback)) for (const f of fallback) words.push(word(String(f), start, typeof f !== 'string'));
        } else words.push(word(JSON.stringify(item), start, true));
      }
      site.commands.push({ words, cwd });
    }
    sites.push(site);
  }
  return sites;
}

// --- nox ---------------------------------------------------------------------------------------------

/** `session.run("pytest", "tests", *session.posargs)` in noxfile.py: literal strings are words, `*session.posargs` nothing, anything else unknown. */
export async function noxSites(file: string, text: string): Promise<CommandSite[]> {
  if (!/\.run\s*\(/.test(text)) return [];
  const cwd = dirname(file);
  const sites: CommandSite[] = [];
  for (const call of await findCalls(text, /(^|\.)run$/)) {
    const words: ShellWord[] = [];
    for (const arg of call.args) {
      if (arg.name !== null) continue;
      if (arg.string !== null)
        words.push({ value: arg.string, start: arg.start, end: arg.end, dynamic: false, glob: /[*?[]/.test(arg.string) });
      else if (/^\*\s*session\.posargs$/.test(arg.text)) continue;
      else words.push({ value: arg.text, start: arg.start, end: arg.end, dynamic: true, glob: false });
    }
    if (words.length === 0) continue;
    sites.push({ name: `nox session ${call.functionName ?? '?'}`, at: { start: call.start, end: call.end }, commands: [{ words, cwd }] });
  }
  return sites;
}

// --- make --------------------------------------------------------------------------------------------

/**
 * Makefile recipes: tab-indented lines after a `target:` line, `\` continuing them, `@`/`-`/`+` prefixes
 * dropped, `$$` read as `$`, and `$(VAR)`/`${VAR}` replaced by the file's own simple assignments
 * (`VAR = value`, `:=`, `?=`); other make expansions stay unknown words.
 */
export function makeSites(file: string, text: string): CommandSite[] {
  const cwd = dirname(file);
  const vars = new Map<string, string>();
  for (const m of text.matchAll(/^([A-Za-z_][\w.-]*)\s*(?:[:?]?=|::=)[ \t]*(.*)$/gm)) if (!vars.has(m[1]!)) vars.set(m[1]!, m[2]!.trim());
  const expand = (s: string, depth = 0): string =>
    s.replace(/\$\$|\$\(([^()]*)\)|\$\{([^{}]*)\}/g, (whole, a?: string, b?: string) => {
      if (whole === '$$') return '$';
      const name = (a ?? b ?? '').trim();
      const v = vars.get(name);
      return v !== undefined && depth < 5 ? expand(v, depth + 1) : `\${MAKE_${name.replace(/\W/g, '_')}}`;
    });
  const sites: CommandSite[] = [];
  const lines = text.split('\n');
  let target: string | null = null;
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const start = offset;
    offset += line.length + 1;
    if (line.startsWith('\t') && target !== null) {
      let recipe = line.replace(/\r$/, '');
      while (recipe.endsWith('\\') && i + 1 < lines.length) {
        i++;
        recipe = recipe.slice(0, -1) + ' ' + lines[i]!.replace(/\r$/, '').replace(/^\t/, '');
        offset += lines[i]!.length + 1;
      }
      const end = offset - 1 - (lines[i]!.endsWith('\r') ? 1 : 0);
      const body = expand(recipe.replace(/^\t[@+\-\s]*/, ''));
      const commands = shellSite(body, cwd);
      if (commands.length > 0) sites.push({ name: `make ${target}`, at: { start: start + 1, end }, commands });
      continue;
    }
    const rule = /^([^\s:=#][^:=#]*?)\s*::?(?!=)/.exec(line);
    if (rule) target = rule[1]!.trim().split(/\s+/)[0]!;
    else if (line.trim() !== '' && !line.startsWith('#')) target = null;
  }
  return sites;
}

// --- shell scripts -----------------------------------------------------------------------------------

/** A script under `scripts/`, taken to run from the directory holding `scripts/` (the repository root). */
export function scriptSites(file: string, text: string): CommandSite[] {
  const cwd = dirname(dirname(file));
  const name = `${basename(dirname(file))}/${basename(file)}`;
  const sites: CommandSite[] = [];
  let dir: string | null = cwd;
  for (const command of shellCommands(text)) {
    const [head, target] = command.words;
    if (head && (head.value === 'cd' || head.value === 'pushd')) {
      dir =
        !target || target.dynamic || target.value === '-' || target.value.startsWith('~')
          ? null
          : dir === null
            ? null
            : resolve(dir, target.value);
      continue;
    }
    sites.push({ name, at: { start: command.start, end: command.end }, commands: [{ words: command.words, cwd: dir }] });
  }
  return sites;
}
