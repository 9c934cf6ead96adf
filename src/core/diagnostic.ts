export type Severity = 'error' | 'warning' | 'info';
export type Applicability = 'safe' | 'unsafe';

/** A replacement of the text between two offsets of one file's original text. */
export interface Edit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  title: string;
  applicability: Applicability;
  /** All edits of a fix apply together or not at all; they may span several files. */
  edits: Edit[];
}

/**
 * A proposed edit that `fix` never applies, not even with `--unsafe` (ESLint's `suggest`): for a change only
 * the author can judge (it breaks tests that rely on what it removes). Reporters carry it with the finding.
 */
export interface Suggestion {
  title: string;
  edits: Edit[];
}

/** An edit with the human positions of the range it replaces (1-based, columns in code points). */
export interface LocatedEdit extends Edit {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Diagnostic {
  /** Absolute path. */
  file: string;
  start: number;
  end: number;
  rule: string;
  severity: Severity;
  message: string;
  /** The rule's message id and the data it was formatted with (tests assert on these, not on prose). */
  messageId?: string;
  data?: Record<string, string | number>;
  fix?: Fix;
  /** Edits proposed for the author to apply by hand; never applied by `fix`. */
  suggestions?: Suggestion[];
  /**
   * A file that failed to read or parse and that this finding's rule consulted (the target's own file, or a
   * source the rule read for it): the fix is derived from it, so it is held back, never written.
   */
  heldBy?: string;
}

/** A diagnostic with the human positions reporters print (1-based, columns in code points). */
export interface LocatedDiagnostic extends Omit<Diagnostic, 'suggestions'> {
  suggestions?: { title: string; edits: LocatedEdit[] }[];
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A file that could not be read or parsed: reported once, with the line where known; nothing is written. */
export interface FileProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
  /** From a verify step: the file as read is at fault (its runner rejects it), not the fix's output. */
  asRead?: boolean;
}

export class FileProblemError extends Error {
  constructor(readonly problem: FileProblem) {
    super(problem.message);
  }
}
