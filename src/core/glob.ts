/**
 * The tool config's `ignore` globs, gitignore style, matched in time linear in the path: each "/"-separated
 * segment is matched by picomatch (so `*`, `?`, `[...]`, `{a,b}` mean what they mean everywhere), and `**`
 * segments are matched by a table over (glob segment, path segment) pairs rather than by one backtracking
 * regular expression, which took minutes on `**\/a/**\/a/...`.
 *
 * - a glob without a slash matches a name at any depth; with one, it is anchored at the config's directory;
 * - a trailing `/` matches a directory (and so everything under it);
 * - `!glob` re-includes what an earlier glob ignored (the last matching glob decides).
 */
import picomatch from 'picomatch';

type Segment = { kind: 'globstar' } | { kind: 'name'; test: (name: string) => boolean };

interface CompiledGlob {
  negated: boolean;
  segments: Segment[];
}

/** `{a/b,c}` spans segments: expand such groups first (others stay for picomatch within a segment). */
function expandSlashBraces(glob: string): string[] {
  const m = /\{([^{}]*\/[^{}]*)\}/.exec(glob);
  if (!m) return [glob];
  return m[1]!.split(',').flatMap((alt) => expandSlashBraces(glob.slice(0, m.index) + alt + glob.slice(m.index + m[0].length)));
}

function compileOne(glob: string, negated: boolean): CompiledGlob {
  let g = glob.replace(/\/+$/, '');
  const anchored = g.includes('/');
  g = g.replace(/^\/+/, '');
  const parts = g.split('/').filter((p, i, all) => !(p === '**' && all[i - 1] === '**'));
  const segments: Segment[] = parts.map((p) => (p === '**' ? { kind: 'globstar' } : { kind: 'name', test: picomatch(p, { dot: true }) }));
  if (!anchored && segments[0]?.kind !== 'globstar') segments.unshift({ kind: 'globstar' });
  return { negated, segments };
}

export function compileGlobs(globs: readonly string[]): CompiledGlob[] {
  return globs.flatMap((raw) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return [];
    const negated = trimmed.startsWith('!');
    const body = negated ? trimmed.slice(1) : trimmed;
    return expandSlashBraces(body).map((g) => compileOne(g, negated));
  });
}

/** Whether the glob's segments match the path's segments exactly; O(segments × parts). */
function matchSegments(segments: readonly Segment[], parts: readonly string[]): boolean {
  // reach[j]: the first i glob segments can match the first j path parts.
  let reach = new Array<boolean>(parts.length + 1).fill(false);
  reach[0] = true;
  for (const seg of segments) {
    const next = new Array<boolean>(parts.length + 1).fill(false);
    if (seg.kind === 'globstar') {
      let any = false;
      for (let j = 0; j <= parts.length; j++) {
        any ||= reach[j]!;
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= parts.length; j++) next[j] = reach[j - 1]! && seg.test(parts[j - 1]!);
    }
    reach = next;
  }
  return reach[parts.length]!;
}

/**
 * Whether a "/"-separated path (relative to the config) is ignored: it, or a directory above it, matches
 * a glob, and the last glob that matches decides (`!` re-includes).
 */
export function globsIgnore(globs: readonly CompiledGlob[], rel: string): boolean {
  if (globs.length === 0) return false;
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i);
    let ignored: boolean | undefined;
    for (const g of globs) if (matchSegments(g.segments, prefix)) ignored = !g.negated;
    if (ignored === true) return true;
  }
  return false;
}
