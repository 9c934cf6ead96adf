/**
 * Python requirements as pip reads them: PEP 508 strings (`name[extra] >=1.0 ; marker`) and requirements
 * files (`requirements*.txt`, `*.in`): one requirement per logical line, `\` continuations, `#` comments
 * (at line start or after whitespace), options such as `-r other.txt` / `-c constraints.txt` /
 * `--requirement=x`, and `-e`/URL lines. Every requirement keeps its source range so an edit can splice
 * the file; names are normalized as pip does (PEP 503).
 */

/** PEP 503: lower case, runs of `-`, `_`, `.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export interface Requirement {
  /** PEP 503-normalized name. */
  name: string;
  /** The name as written. */
  written: string;
  extras: string[];
  /** The version specifier (`>=0.24,<2`), or '' (also '' for a URL requirement). */
  specifier: string;
  /** The PEP 508 environment marker after `;`, kept as written, or null. */
  marker: string | null;
}

const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*/;

/** Read one PEP 508 requirement; null when it does not start with a name (a path, a URL alone). */
export function parseRequirement(text: string): Requirement | null {
  const m = NAME.exec(text);
  if (!m) return null;
  let rest = text.slice(m[0].length);
  let marker: string | null = null;
  // A URL requirement (`name @ https://...;`) keeps its marker after `; ` (PEP 508 wants a space there).
  const semi = rest.startsWith('@') ? rest.search(/\s;/) : rest.indexOf(';');
  if (semi >= 0) {
    marker = rest.slice(semi).replace(/^\s*;/, '').trim() || null;
    rest = rest.slice(0, semi);
  }
  const specifier = rest.startsWith('@') ? '' : rest.replace(/[()\s]/g, '');
  if (specifier && !/^(?:[<>=!~]=?|===)/.test(specifier)) return null;
  return {
    name: normalizeName(m[1]!),
    written: m[1]!,
    extras: m[2]
      ? m[2]
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean)
      : [],
    specifier,
    marker,
  };
}

/**
 * The lowest version a specifier admits, as far as it says (`>=0.24`, `==0.23.8`, `~=0.21`, `^0.23`
 * (Poetry), `0.23.*`); null when it names no lower bound.
 */
export function lowerBound(specifier: string): string | null {
  for (const part of specifier.split(',')) {
    const m = /^\s*(===|==|>=|~=|\^|~|>)?\s*v?(\d+(?:\.\d+)*)/.exec(part);
    if (m && (m[1] !== undefined || /^\s*\d/.test(part))) return m[2]!;
  }
  return null;
}

/** Compare dotted release numbers (`0.24` < `0.24.1` < `1.0`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface RequirementLine {
  requirement: Requirement;
  /** The requirement's text range in the file (without comment and line ending). */
  start: number;
  end: number;
}

export interface RequirementsFile {
  requirements: RequirementLine[];
  /** `-r` / `--requirement` files, as written (relative to this file). */
  includes: string[];
  /** `-c` / `--constraint` files. */
  constraints: string[];
  /** Offset just after the last line that holds a requirement (where a new one goes), or null. */
  lastRequirementEnd: number | null;
  eol: string;
}

export function parseRequirementsFile(text: string): RequirementsFile {
  const out: RequirementsFile = {
    requirements: [],
    includes: [],
    constraints: [],
    lastRequirementEnd: null,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
  const lines = text.split(/(?<=\n)/);
  let offset = 0;
  let logical = '';
  let logicalStart = 0;
  for (const raw of lines) {
    const lineStart = offset;
    offset += raw.length;
    const body = raw.replace(/\r?\n$/, '');
    if (logical === '') logicalStart = lineStart;
    // pip strips comments first (`#` at the start or after whitespace), then joins `\` continuations.
    const comment = body.search(/(^|\s)#/);
    const content = comment >= 0 ? body.slice(0, comment) : body;
    if (/\\\s*$/.test(content) && comment < 0) {
      logical += content.replace(/\\\s*$/, '');
      continue;
    }
    logical += content;
    const whole = logical;
    const start = logicalStart + (whole.length - whole.trimStart().length);
    logical = '';
    const trimmed = whole.trim();
    if (!trimmed) continue;
    const opt = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=[^-\s]))(\S+)/.exec(trimmed);
    if (opt) {
      (opt[1] === '-r' || opt[1] === '--requirement' ? out.includes : out.constraints).push(opt[2]!);
      continue;
    }
    if (trimmed.startsWith('-')) continue;
    // pip allows options after the requirement on the same line (`pkg --hash=...`).
    const reqText = trimmed.replace(/\s+--?\w[\w-]*(=\S*)?(\s.*)?$/, '');
    const requirement = parseRequirement(reqText);
    if (!requirement) continue;
    out.requirements.push({ requirement, start, end: start + reqText.length });
    out.lastRequirementEnd = lineStart + body.length;
  }
  return out;
}
