export type PytestIniType = 'string' | 'bool' | 'int' | 'float' | 'args' | 'linelist' | 'paths' | 'pathlist';

export interface FlagSpec {
  names: string[];
  value: 'none' | 'required' | 'optional';
  choices?: string[];
}

export interface PluginSchema {
  /** `pytest` or the distribution name of a plugin (`pytest-asyncio`). */
  plugin: string;
  title: string;
  keys: Record<string, PytestIniType>;
  aliases: Record<string, string>;
  flags: FlagSpec[];
}
