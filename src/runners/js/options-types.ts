/** The shape of the generated Jest/Vitest option lists (src/generated/js-options.ts, from schemas/). */
export interface RemovedOption {
  /** What replaced it, as the message says it. */
  message: string;
  /** A mechanical move: the same value under this key. */
  rename?: string;
  /** The value becomes the single item of a list under this key. */
  wrap?: string;
  /** Removed with no effect left: dropping it changes nothing. */
  drop?: true;
  /** The value moves under `[object, key]`. */
  nest?: [string, string];
}

export interface JsRunnerOptions {
  keys: string[];
  removed: Record<string, RemovedOption>;
  /** The keys of object-valued options (`coverage`: `provider`, `include`, ...), from the runner's types. */
  nested: Record<string, string[]>;
  /** Nested options removed, by dotted path (`coverage.all`). */
  nestedRemoved: Record<string, RemovedOption>;
  /** Jest: options read only from the root config of a `projects` run. */
  rootOnly: string[];
}
