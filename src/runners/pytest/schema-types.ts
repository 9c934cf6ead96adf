export type PytestIniType = 'string' | 'bool' | 'int' | 'float' | 'args' | 'linelist' | 'paths' | 'pathlist';

export interface FlagSpec {
  names: string[];
  value: 'none' | 'required' | 'optional';
  /** argparse `nargs` when the flag takes several values: `+`, `*`, or a count above 1. */
  nargs?: number | '+' | '*';
  choices?: string[];
}

/**
 * How many of the words from `from` on (those after a flag written alone, not `--flag=value`) argparse gives it, as
 * pytest's parser reads them: none for a switch; one for a value; an optional value when the next word is
 * not an option; every following word that is not an option for `nargs='+'`/`'*'`; exactly N for `nargs=N`.
 */
export function valuesTaken(spec: Pick<FlagSpec, 'value' | 'nargs'>, words: readonly string[], from: number): number {
  if (spec.value === 'none') return 0;
  const left = Math.max(0, words.length - from);
  const isValue = (w: string | undefined) => w !== undefined && (!w.startsWith('-') || /^-\d/.test(w) || w === '-');
  if (spec.nargs === '+' || spec.nargs === '*') {
    let n = 0;
    while (n < left && isValue(words[from + n])) n++;
    return n;
  }
  if (typeof spec.nargs === 'number') return Math.min(spec.nargs, left);
  if (spec.value === 'required') return left > 0 ? 1 : 0;
  return isValue(words[from]) ? 1 : 0;
}

export interface PluginSchema {
  /** `pytest` or the distribution name of a plugin (`pytest-asyncio`). */
  plugin: string;
  title: string;
  keys: Record<string, PytestIniType>;
  aliases: Record<string, string>;
  flags: FlagSpec[];
}
