/**
 * POSIX shell command lines read statically, far enough to see what a script runs: simple commands split
 * at newlines and `;`, `&&`, `||`, `|`, `&`, `(`, `)`; words with their offsets, quotes removed as the shell
 * removes them; backslash-newline joins lines; `#` starts a comment at a word's start. Nothing is expanded:
 * a word holding a parameter or command substitution (`$X`, `${X}`, `$(...)`, backquotes) is `dynamic`
 * (the shell may turn it into any number of words), one holding an unquoted `*`, `?` or `[` is a `glob`.
 * A GitHub Actions expression (`${{ matrix.group }}`, spaces and all) is part of one dynamic word.
 */
export interface ShellWord {
  value: string;
  start: number;
  end: number;
  dynamic: boolean;
  glob: boolean;
}

export interface ShellCommand {
  words: ShellWord[];
  start: number;
  end: number;
}

/** Reserved words that may open a simple command (`if pytest tests; then`): the command is what follows. */
const OPENERS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', 'time']);

/** Skip a balanced `$(...)` or `(...)` starting at the `(` at `i`; returns the index after the `)`. */
function skipParens(s: string, i: number): number {
  let depth = 0;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') i++;
    else if (c === "'") {
      const close = s.indexOf("'", i + 1);
      i = close < 0 ? s.length : close;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return s.length;
}

export function shellCommands(text: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: ShellWord[] = [];
  const end = (at: number) => {
    while (words.length > 0 && OPENERS.has(words[0]!.value) && !words[0]!.dynamic) words.shift();
    if (words.length > 0) commands.push({ words, start: words[0]!.start, end: at });
    words = [];
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\r' && text[i + 2] === '\n') {
      i += 3;
      continue;
    }
    if (c === '\n' || c === ';' || c === '&' || c === '|' || c === '(' || c === ')') {
      end(i);
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const start = i;
    let value = '';
    let dynamic = false;
    let glob = false;
    while (i < text.length) {
      const d = text[i]!;
      if (' \t\r\n;&|()'.includes(d)) break;
      if (d === '\\') {
        if (text[i + 1] === '\n') i += 2;
        else {
          value += text[i + 1] ?? '';
          i += 2;
        }
      } else if (d === "'") {
        const close = text.indexOf("'", i + 1);
        const stop = close < 0 ? text.length : close;
        value += text.slice(i + 1, stop);
        i = stop + 1;
      } else if (d === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          const e = text[i]!;
          if (e === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) {
            if (text[i + 1] !== '\n') value += text[i + 1];
            i += 2;
          } else if (e === '$' && text[i + 1] === '(') {
            dynamic = true;
            const after = skipParens(text, i + 1);
            value += text.slice(i, after);
            i = after;
          } else {
            if (e === '$' || e === '`') dynamic = true;
            value += e;
            i++;
          }
        }
        i++;
      } else if (d === '$' && text[i + 1] === '{' && text[i + 2] === '{') {
        // A GitHub Actions expression, substituted before the shell runs: one unknown stretch of text.
        dynamic = true;
        const close = text.indexOf('}}', i + 3);
        const stop = close < 0 ? text.length : close + 2;
        value += text.slice(i, stop);
        i = stop;
      } else if (d === '$' && text[i + 1] === '(') {
        dynamic = true;
        const after = skipParens(text, i + 1);
        value += text.slice(i, after);
        i = after;
      } else if (d === '`') {
        dynamic = true;
        const close = text.indexOf('`', i + 1);
        const stop = close < 0 ? text.length : close + 1;
        value += text.slice(i, stop);
        i = stop;
      } else {
        if (d === '$' && /[\w{@*#?$!-]/.test(text[i + 1] ?? '')) dynamic = true;
        if (d === '*' || d === '?' || d === '[') glob = true;
        value += d;
        i++;
      }
    }
    words.push({ value, start, end: i, dynamic, glob });
  }
  end(text.length);
  return commands;
}
