// How a lab's commands end, for the self-test's walkthrough (which types every
// command a learner is told to run into the lab's real terminal), and which
// command blocks get a Run button on the lab page. One parser for both: the
// site's Run plugin and the walkthrough read fence info strings and hints here.
//
//   ```bash                               Run button; typed; must end by itself with exit 0
//   ```bash norun                         no Run button, not typed (the learner's own machine)
//   ```bash walkthrough=ctrl-c:5          runs until stopped: Ctrl-C after 5 s
//   ```bash walkthrough=interactive:q     a full-screen tool: the keys (q) after a moment
//   ```bash walkthrough=expect-fail       a non-zero exit is what the step expects
//   ```bash walkthrough=wait:400          ends by itself, but may take up to 400 s (crash on an emulated CPU)
//   ```bash walkthrough=reboots           may panic or reboot a VM: wait for the shell to come back
//   ```bash walkthrough=skip              Run button, but not typed by the walkthrough
//
// In a hint, every `code` span whose first word is a program is a command the
// walkthrough types (see parseHint); `{walkthrough=…}` right after the span
// says how it ends, and is never shown to the learner.

/** Fence languages that get a Run button. */
export const RUNNABLE_LANGS: ReadonlySet<string> = new Set(['bash', 'sh', 'shell', 'console']);
/** The fence flag for blocks meant for the learner's own machine. */
export const NO_RUN_FLAG = 'norun';
export const WALKTHROUGH_KEY = 'walkthrough';
/** A full-screen tool gets this long to draw before the walkthrough presses its quit keys. */
export const INTERACTIVE_GRACE_SECONDS = 3;
/** Longest Ctrl-C delay a marker may ask for: the walkthrough is part of every self-test. */
export const MAX_CTRL_C_SECONDS = 120;
/** Longest a wait:<seconds> marker may allow one command: a third of the longest self-test. */
export const MAX_WAIT_SECONDS = 600;

export type WalkthroughMode =
  | { kind: 'run' }
  | { kind: 'expect-fail' }
  | { kind: 'ctrl-c'; seconds: number }
  /** Ends by itself like `run`, but is known to be slow: the walkthrough allows it this long. */
  | { kind: 'wait'; seconds: number }
  | { kind: 'interactive'; keys: string; label: string }
  | { kind: 'reboots' }
  | { kind: 'skip' }
  /** Hints only: the span is a file the learner is pointed at; the walkthrough checks it exists. */
  | { kind: 'file' };

export type MarkerWhere = 'fence' | 'hint';

const NAMED_KEYS: Record<string, string> = { esc: '\x1b', enter: '\r', tab: '\t', space: ' ' };

export function parseWalkthroughMode(value: string, where: MarkerWhere): { ok: true; mode: WalkthroughMode } | { ok: false; message: string } {
  const [kind = '', ...rest] = value.split(':');
  const arg = rest.join(':');
  const bad = (why: string) => ({ ok: false as const, message: `${WALKTHROUGH_KEY}=${value}: ${why}` });
  switch (kind) {
    case 'run': case 'expect-fail': case 'reboots': case 'skip':
      return arg ? bad(`"${kind}" takes no value`) : { ok: true, mode: { kind } };
    case 'file':
      if (where !== 'hint') return bad('"file" is for a path in a hint; a command block runs commands');
      return arg ? bad('"file" takes no value') : { ok: true, mode: { kind } };
    case 'ctrl-c': {
      const seconds = Number(arg);
      if (!/^\d+$/.test(arg) || seconds < 1 || seconds > MAX_CTRL_C_SECONDS) return bad(`expected ctrl-c:<seconds>, 1 to ${MAX_CTRL_C_SECONDS}, e.g. ctrl-c:5`);
      return { ok: true, mode: { kind, seconds } };
    }
    case 'wait': {
      const seconds = Number(arg);
      if (!/^\d+$/.test(arg) || seconds < 1 || seconds > MAX_WAIT_SECONDS) return bad(`expected wait:<seconds>, 1 to ${MAX_WAIT_SECONDS}, e.g. wait:300`);
      return { ok: true, mode: { kind, seconds } };
    }
    case 'interactive': {
      const keys = parseKeys(arg);
      if (keys === null) return bad('expected interactive:<keys> that quit the tool: one character (q), ctrl-<letter>, esc, enter, tab or space, joined with "+" (e.g. interactive:q, interactive:ctrl-x)');
      return { ok: true, mode: { kind, keys, label: arg } };
    }
    default:
      return bad(`unknown mode "${kind}" (expected run, expect-fail, ctrl-c:<seconds>, wait:<seconds>, interactive:<keys>, reboots, skip${where === 'hint' ? ', file' : ''})`);
  }
}

function parseKeys(spec: string): string | null {
  if (!spec) return null;
  let out = '';
  for (const token of spec.split('+')) {
    const ctrl = /^ctrl-([a-z])$/.exec(token);
    if (ctrl) out += String.fromCharCode(ctrl[1]!.charCodeAt(0) - 96);
    else if (NAMED_KEYS[token] !== undefined) out += NAMED_KEYS[token];
    else if (/^[\x21-\x7e]$/.test(token)) out += token;
    else return null;
  }
  return out;
}

export function describeMode(mode: WalkthroughMode): string {
  switch (mode.kind) {
    case 'ctrl-c': return `Ctrl-C after ${mode.seconds} s`;
    case 'wait': return `allowed ${mode.seconds} s`;
    case 'interactive': return `quit with ${mode.label}`;
    default: return mode.kind;
  }
}

// ---- Fences ----

export interface FenceInfo {
  lang: string;
  /** Gets a Run button on a lab page. */
  runnable: boolean;
  /** How the walkthrough types it; null when it is not runnable. */
  mode: WalkthroughMode | null;
  problems: string[];
}

/** Reads a fence's info string (`bash norun`, `bash walkthrough=ctrl-c:5`). */
export function parseFenceInfo(info: string): FenceInfo {
  const [lang = '', ...flags] = info.trim().split(/\s+/);
  const problems: string[] = [];
  let mode: WalkthroughMode = { kind: 'run' };
  let norun = false;
  for (const flag of flags) {
    if (flag === NO_RUN_FLAG) { norun = true; continue; }
    if (!flag.startsWith(`${WALKTHROUGH_KEY}=`)) continue; // VitePress's own ({1,3}, :line-numbers) and anything else
    const r = parseWalkthroughMode(flag.slice(WALKTHROUGH_KEY.length + 1), 'fence');
    if (r.ok) mode = r.mode; else problems.push(r.message);
  }
  const runnable = RUNNABLE_LANGS.has(lang) && !norun;
  if (!runnable && flags.some((f) => f.startsWith(`${WALKTHROUGH_KEY}=`))) {
    problems.push(`"${info.trim()}": a ${WALKTHROUGH_KEY}= marker on a block without a Run button (norun, or not ${[...RUNNABLE_LANGS].join('/')}) does nothing`);
  }
  return { lang, runnable, mode: runnable ? mode : null, problems };
}

/** What the Run button types for a block: its lines, each ended with Enter (the page's lab-session does the same). */
export function commandKeystrokes(text: string): string {
  return `${text.trim().replace(/\r?\n/g, '\r')}\r`;
}

// ---- Hints ----

export interface HintCommand { command: string; mode: WalkthroughMode }

export interface ParsedHint {
  /** The hint as the learner sees it: markers removed. */
  text: string;
  /** Code spans the walkthrough types (mode `skip` included, so reports can count them). */
  commands: HintCommand[];
  problems: string[];
}

const HINT_SPAN = /`([^`]+)`(?:\{([^}]*)\})?/g;
/** A placeholder the learner fills in: `<pid>`, `0x…`, `...`. */
const PLACEHOLDER = /<[A-Za-z][^<>]*>|…|\.\.\./;
/** The first word of a command: a lower-case program name or a path to one. */
const PROGRAM = /^(?:[a-z_][a-z0-9_.+-]*|(?:\/|\.\/|\.\.\/|~\/)\S+)$/;

/**
 * A hint's text and the commands in it. The rule: a `code` span is a command
 * when its first word is a program (a lower-case name such as `pidstat`, or a
 * path such as `/root/faulty/faulty-load`) and it holds no placeholder
 * (`<pid>`, `…`). So `RIP: 0010:…`, `done:`, `-XX:+UseG1GC` and
 * `jstat -gc <pid> 1s` are text, `pidstat 1 5` and `ausyscall` are commands.
 * `{walkthrough=<mode>}` right after a span sets how it ends, or marks a span
 * that looks like a command but is not (`{walkthrough=skip}`) or is a file
 * that must exist (`{walkthrough=file}`).
 */
export function parseHint(hint: string): ParsedHint {
  const commands: HintCommand[] = [];
  const problems: string[] = [];
  const text = hint.replace(HINT_SPAN, (_all, code: string, attrs: string | undefined) => {
    let mode: WalkthroughMode | null = null;
    if (attrs !== undefined) {
      const m = new RegExp(`^${WALKTHROUGH_KEY}=(\\S+)$`).exec(attrs.trim());
      if (!m) problems.push(`\`${code}\`{${attrs}}: expected {${WALKTHROUGH_KEY}=<mode>} after a code span`);
      else {
        const r = parseWalkthroughMode(m[1]!, 'hint');
        if (r.ok) mode = r.mode; else problems.push(`\`${code}\`: ${r.message}`);
      }
    }
    const command = code.trim();
    if (mode) commands.push({ command, mode });
    else if (isCommandSpan(command)) commands.push({ command, mode: { kind: 'run' } });
    return `\`${code}\``;
  });
  return { text, commands, problems };
}

/** The hint rule (see parseHint): a program first, no placeholder. */
export function isCommandSpan(code: string): boolean {
  const first = code.trim().split(/\s+/)[0] ?? '';
  return PROGRAM.test(first) && !PLACEHOLDER.test(code);
}
