/**
 * What a terminal expects: colour by the common conventions, and progress on a slow interactive run.
 */

/**
 * Whether to colour the output: `--color` / `--no-color` win; then `FORCE_COLOR` (set and not `0` or
 * `false`) turns it on even when piped, as CI logs want, and `NO_COLOR` (set and not empty, no-color.org)
 * turns it off, in Node's own order; otherwise only on a terminal that is not `TERM=dumb`.
 */
export function useColor(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (flag !== undefined) return flag;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY && env.TERM !== 'dumb';
}

export interface Progress {
  /** `done` of `total` files read. */
  update: (done: number, total: number) => void;
  /** Clear the line (before the report is printed). */
  end(): void;
}

/**
 * A single self-erasing line on stderr, `files read N of M`, shown only once the run has taken `delayMs`
 * (a quick run prints nothing) and redrawn at most every 100 ms.
 */
export function stderrProgress(stream: NodeJS.WriteStream, delayMs = 1000): Progress {
  const start = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - start < delayMs || (now - last < 100 && done < total)) return;
      last = now;
      shown = true;
      stream.write(`\r\x1b[Knetra-migrate: files read ${done} of ${total}`);
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
