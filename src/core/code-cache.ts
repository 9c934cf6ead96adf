/**
 * Loading the TypeScript compiler (9 MB of JavaScript inside ts-morph) is most of a one-config run's
 * start-up. Node 22 caches compiled code by itself (`module.enableCompileCache`); on Node 20 this does the
 * same for that one file: V8's code cache, written beside the package in `node_modules/.cache/netra-migrate/`
 * after a run that used it (so it holds the functions that run compiled), read on the next run. V8 rejects a
 * cache made for another source text, V8 version or flags, and the file is then written afresh.
 */
import { isAscii } from 'node:buffer';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { changedV8Flags } from './v8-flags.js';
import { Script } from 'node:vm';

interface CompilableModule {
  _compile: (this: CompilableModule, content: string, filename: string) => unknown;
  exports: unknown;
}

/** `require(id)`, with `large` (a file the package loads) compiled through V8's code cache. */
export function requireWithCodeCache(require: NodeJS.Require, id: string, large: RegExp): unknown {
  const enable = (Module as unknown as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
  const flags = changedV8Flags();
  if (typeof enable === 'function') {
    // Node's own cache, in a directory of its own while this process runs with changed V8 flags.
    if (flags) enable(join(tmpdir(), `node-compile-cache.${flags}`));
    else enable();
    return require(id);
  }
  const proto = (Module as unknown as { prototype: CompilableModule }).prototype;
  const original = proto._compile;
  // Node reads a module as UTF-8; the compiler's 9 MB are ASCII, and read as Latin-1 they make the same string
  // without decoding every byte (90 ms of a run that loads it).
  const extensions = (Module as unknown as { _extensions: Record<string, (module: CompilableModule, filename: string) => void> })
    ._extensions;
  const readJs = extensions['.js']!;
  extensions['.js'] = function (module: CompilableModule, filename: string) {
    if (!large.test(filename)) return readJs.call(this, module, filename);
    const bytes = readFileSync(filename);
    if (!isAscii(bytes)) return readJs.call(this, module, filename);
    module._compile(bytes.toString('latin1'), filename);
  };
  proto._compile = function (this: CompilableModule, content: string, filename: string) {
    if (!large.test(filename)) return original.call(this, content, filename);
    const cacheFile = cachePath(filename, flags);
    let cachedData: Buffer | undefined;
    try {
      cachedData = cacheFile ? readFileSync(cacheFile) : undefined;
    } catch {
      // No cache yet.
    }
    const script = new Script(Module.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    if (cacheFile && (!cachedData || script.cachedDataRejected)) {
      process.once('exit', () => {
        // Flags changed after the load: V8 would tag the cache with them, and no run that loads under the
        // flags of this file's name would accept it.
        if (changedV8Flags() !== flags) return;
        try {
          mkdirSync(dirname(cacheFile), { recursive: true });
          const tmp = `${cacheFile}.${process.pid}.tmp`;
          writeFileSync(tmp, script.createCachedData());
          renameSync(tmp, cacheFile);
        } catch {
          // A read-only install: every run compiles, as without the cache.
        }
      });
    }
    const wrapper = script.runInThisContext() as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dirname(filename));
  };
  try {
    return require(id);
  } finally {
    proto._compile = original;
    extensions['.js'] = readJs;
  }
}

/**
 * Where the cache of `filename` goes: `node_modules/.cache/netra-migrate/` of the node_modules holding it, one
 * file per Node version, architecture and set of V8 flags the process changed (see v8-flags.ts).
 */
function cachePath(filename: string, flags: string): string | null {
  const at = filename.lastIndexOf(`${sep}node_modules${sep}`);
  if (at < 0) return null;
  const name = filename.slice(at + 14).replace(/[\\/]/g, '+');
  return join(
    filename.slice(0, at),
    'node_modules',
    '.cache',
    'netra-migrate',
    `${name}.${process.version}.${process.arch}${flags ? `.${flags}` : ''}.v8cache`,
  );
}
