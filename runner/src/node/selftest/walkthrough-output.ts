// Reading what one typed command printed in the lab terminal: the shell's
// "command not found", a "No such file or directory" about a path the command
// names, and lines too wide for the terminal. Pure text in, findings out.

/** Terminal control sequences: CSI (colours, cursor), OSC (titles), charset selects and other two-byte escapes. */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[@-Z\\-_=>]/g;

/** The text a terminal shows for raw output, line by line: escapes gone, carriage returns resolved. */
export function plainLines(raw: string): string[] {
  return raw.replace(ESCAPES, '').split('\n').map((line) => {
    // A carriage return starts the line over (progress meters, readline redraws): the last overwrite wins where it is longer.
    const parts = line.split('\r');
    let shown = '';
    for (const p of parts) shown = p + shown.slice(p.length);
    // eslint-disable-next-line no-control-regex
    return shown.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
  });
}

export interface OutputFindings {
  /** Reasons the command failed the walkthrough, whatever its exit status. */
  errors: string[];
  /** Worth a look, not a failure: an ENOENT about a path the command does not name, lines wider than the terminal. */
  notes: string[];
}

const NOT_FOUND = /: command not found$|^(?:ba|da)?sh: \d+: \S+: not found$/;
const ENOENT = /No such file or directory/;

/**
 * Findings in the output of `command` (the echo of the typed line is not part
 * of `outputLines`). `cols` is the terminal's width, for the wrap note.
 */
export function inspectOutput(command: string, outputLines: string[], cols: number): OutputFindings {
  const errors: string[] = [];
  const notes: string[] = [];
  for (const raw of outputLines) {
    const line = raw.trimEnd();
    if (NOT_FOUND.test(line)) { errors.push(line); continue; }
    if (ENOENT.test(line)) {
      const named = pathsIn(line).filter((p) => command.includes(p));
      if (named.length) errors.push(line);
      else notes.push(line);
    }
  }
  // The command's own echo (a long command wraps as the learner types it) is not output.
  const echo = command.trim().slice(0, 24);
  const wide = outputLines.filter((l) => [...l.trimEnd()].length > cols && !l.includes(echo));
  if (wide.length) notes.push(`${wide.length} output line(s) wider than ${cols} columns wrap, e.g. "${wide[0]!.trim().slice(0, 60)}…"`);
  return { errors, notes };
}

/** Path-like words of an error line: `cat: /run/x.pid: No such…` → /run/x.pid; `cannot access 'faulty.ko'` → faulty.ko. */
function pathsIn(line: string): string[] {
  return line.split(/[\s:'"`‘’]+/).filter((w) => w.length > 1 && (w.includes('/') || /\w\.\w/.test(w)));
}
