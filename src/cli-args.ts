/**
 * The command lines a pre-commit hook or CI step runs (`check FILES`, `fix --write --unsafe`, known flags
 * with plain values) read without yargs: loading it and building its parser is a third of a one-file run.
 * It reads the same option table yargs is given (cli.ts), and answers only where yargs' reading is
 * unambiguous; anything else (help, version, other commands, an unknown or repeated flag, a value yargs
 * would reject or read its own way, `--`) is null, and the CLI hands the whole line to yargs as before.
 */

/** One option as cli.ts declares it to yargs (only the fields that decide how a value is read). */
export interface OptionSpec {
  /** No type: a string (an option with `choices`). */
  type?: 'string' | 'number' | 'boolean';
  array?: boolean;
  alias?: string;
  choices?: readonly string[];
  default?: unknown;
}

export interface QuickParse {
  command: string;
  argv: Record<string, unknown>;
}

const INTEGER = /^-?\d+$/;

/**
 * `args` (after the script name) read against the commands' options (each with a `paths..` positional) and
 * the global ones; null whenever yargs should read the line.
 */
export function quickParse(
  args: readonly string[],
  commands: Readonly<Record<string, Readonly<Record<string, OptionSpec>>>>,
  globals: Readonly<Record<string, OptionSpec>>,
): QuickParse | null {
  const command = args[0];
  if (command === undefined || !Object.hasOwn(commands, command)) return null;
  const options: Record<string, OptionSpec> = { ...commands[command], ...globals };
  const byAlias = new Map(Object.entries(options).flatMap(([name, spec]) => (spec.alias ? [[spec.alias, name] as const] : [])));
  const argv: Record<string, unknown> = {};
  const seen = new Set<string>();
  const paths: string[] = [];
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) {
      paths.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg) && byAlias.has(arg[1]!)) name = byAlias.get(arg[1]!)!;
    else return null;
    let spec = Object.hasOwn(options, name) ? options[name] : undefined;
    let value: unknown;
    if (!spec && name.startsWith('no-') && options[name.slice(3)]?.type === 'boolean' && inline === undefined) {
      name = name.slice(3);
      spec = options[name];
      value = false;
    } else if (!spec) return null;
    else if (spec.type === 'boolean') {
      // `--write=false`, `--write false`: yargs reads a value there.
      if (inline !== undefined || args[i + 1] === 'true' || args[i + 1] === 'false') return null;
      value = true;
    } else {
      const raw = inline ?? args[++i];
      if (raw === undefined || (inline === undefined && raw.startsWith('-'))) return null;
      if (spec.type === 'number' && !INTEGER.test(raw)) return null;
      if (spec.choices && !spec.choices.includes(raw)) return null;
      value = spec.type === 'number' ? Number(raw) : raw;
    }
    if (spec!.array) {
      argv[name] = [...((argv[name] as unknown[] | undefined) ?? []), value];
    } else {
      if (seen.has(name)) return null;
      argv[name] = value;
    }
    seen.add(name);
  }
  for (const [name, spec] of Object.entries(options)) if (!seen.has(name) && spec.default !== undefined) argv[name] = spec.default;
  argv.paths = paths.length > 0 ? paths : ['.'];
  return { command, argv };
}
