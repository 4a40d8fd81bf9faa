// Just enough of bash's grammar to read a lab script's commands as their words:
// quotes, `$( )` and `${ }` (skipped as expansions, their text kept for a look
// inside), comments, line continuations, here-documents (bodies skipped) and
// the operators that end a command. Used to check what a script prints
// (check-messages.test.ts); not a general shell parser.

export interface ShellWord {
  /** As written, quotes included. */
  raw: string;
  /** What is left after quotes and expansions are taken out: the literal text. */
  literal: string;
  line: number;
}

/** A simple command: its words, redirections and what ended it (`|` means piped into another command). */
export interface ShellCommand {
  words: ShellWord[];
  /** Redirection targets ("&2", "/dev/null", "$file"). */
  redirects: string[];
  endedBy: string;
  /** The text of every `$( )` inside it, to be read as commands too. */
  substitutions: string[];
}

const OPERATORS = ['&&', '||', ';;', ';', '|', '&', '(', ')', '\n'];

export function shellCommands(text: string): ShellCommand[] {
  const out: ShellCommand[] = [];
  let i = 0;
  let line = 1;
  let current: ShellCommand = { words: [], redirects: [], endedBy: '', substitutions: [] };
  let heredocs: string[] = [];
  const end = (op: string): void => {
    current.endedBy = op;
    if (current.words.length || current.redirects.length) out.push(current);
    current = { words: [], redirects: [], endedBy: '', substitutions: [] };
  };

  /** Skips `open … close` from i (at the character after `open`), honouring quotes and nesting; returns the index after `close`. */
  const skipNested = (from: number, close: string): number => {
    let j = from;
    let depth = 1;
    const open = close === ')' ? '(' : '{';
    while (j < text.length && depth > 0) {
      const c = text[j]!;
      if (c === '\\') { j += 2; continue; }
      if (c === "'") { j = text.indexOf("'", j + 1) + 1 || text.length; continue; }
      if (c === '"') { j = skipDouble(j + 1); continue; }
      if (c === open) depth++;
      else if (c === close) depth--;
      j++;
    }
    return j;
  };
  /** From inside a double-quoted string; returns the index after its closing quote. */
  const skipDouble = (from: number): number => {
    let j = from;
    while (j < text.length && text[j] !== '"') {
      if (text[j] === '\\') { j += 2; continue; }
      if (text.startsWith('$(', j)) { j = skipNested(j + 2, ')'); continue; }
      if (text.startsWith('${', j)) { j = skipNested(j + 2, '}'); continue; }
      j++;
    }
    return j + 1;
  };

  /** Reads one word from i; returns it with the index after it. */
  const readWord = (): ShellWord => {
    const start = i;
    const startLine = line;
    let literal = '';
    const substitution = (from: number, close: string): void => {
      const after = skipNested(from, close);
      if (close === ')') current.substitutions.push(text.slice(from, after - 1));
      i = after;
    };
    while (i < text.length) {
      const c = text[i]!;
      if (/\s/.test(c) || ';&|()<>'.includes(c)) break;
      if (c === '\\') { literal += text[i + 1] ?? ''; i += 2; continue; }
      if (c === "'") {
        const close = text.indexOf("'", i + 1);
        literal += text.slice(i + 1, close < 0 ? text.length : close);
        i = close < 0 ? text.length : close + 1;
        continue;
      }
      if (c === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') { literal += text[i + 1] ?? ''; i += 2; continue; }
          if (text.startsWith('$(', i)) { substitution(i + 2, ')'); continue; }
          if (text.startsWith('${', i)) { i = skipNested(i + 2, '}'); continue; }
          if (text[i] === '$' && /[\w?#@*!$-]/.test(text[i + 1] ?? '')) { i += 2; while (/\w/.test(text[i] ?? '')) i++; continue; }
          if (text[i] === '\n') line++;
          literal += text[i];
          i++;
        }
        i++;
        continue;
      }
      if (text.startsWith('$((', i)) { i = skipNested(i + 3, ')') + 1; continue; }
      if (text.startsWith('$(', i)) { substitution(i + 2, ')'); continue; }
      if (text.startsWith('${', i)) { i = skipNested(i + 2, '}'); continue; }
      if (c === '$' && /[\w?#@*!$-]/.test(text[i + 1] ?? '')) { i += 2; while (/\w/.test(text[i] ?? '')) i++; continue; }
      literal += c;
      i++;
    }
    return { raw: text.slice(start, i), literal, line: startLine };
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '\n') { i += 2; line++; continue; }
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '#' ) { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c === '\n') {
      i++;
      line++;
      end('\n');
      for (const delimiter of heredocs) {
        // The here-document's body: lines up to its delimiter are data, not commands.
        while (i < text.length) {
          const eol = text.indexOf('\n', i);
          const body = text.slice(i, eol < 0 ? text.length : eol);
          i = eol < 0 ? text.length : eol + 1;
          line++;
          if (body.trim() === delimiter) break;
        }
      }
      heredocs = [];
      continue;
    }
    const redirect = /^(\d*)(<<<|<<-?|>>|>&|<&|&>|>|<)/.exec(text.slice(i, i + 5));
    if (redirect) {
      i += redirect[0].length;
      while (text[i] === ' ' || text[i] === '\t') i++;
      const target = readWord();
      if (redirect[2]!.startsWith('<<') && redirect[2] !== '<<<') heredocs.push(target.literal);
      else if (redirect[2] === '>&' || redirect[2] === '&>' || redirect[2]!.startsWith('>')) current.redirects.push(redirect[2] === '>&' ? `&${target.literal}` : target.literal);
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) { i += op.length; if (op === '\n') line++; end(op); continue; }
    current.words.push(readWord());
  }
  end('');
  return out;
}
