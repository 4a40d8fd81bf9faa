// Per-learner lab parameters: a lab declares values that differ between
// learners (which system call the storm uses, …). The runner picks one choice
// per learner and lab, deterministically, and hands it to the lab's scripts as
// KDLABS_PARAM_<NAME>; the learner never sees it through the API, and a
// question can expect it as its answer, so a neighbour's answer is wrong.
// Pure: the HMAC that feeds `choiceIndex` lives in runner/src/node/workshops/.

/** Parameter names: they become environment variable suffixes (`syscall` → KDLABS_PARAM_SYSCALL). */
export const PARAM_NAME_PATTERN = /^[a-z][a-z0-9_]{0,30}$/;
/** Choices: safe in an environment variable, a file name and a regular expression after escaping. */
export const PARAM_VALUE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
/** More choices than this is a data set, not a lab parameter. */
export const MAX_PARAM_CHOICES = 64;
/** Written in an answer pattern where the learner's value goes. */
export const PARAM_PLACEHOLDER = '{{value}}';
/** A parameter answer without a pattern must be the value itself. */
export const DEFAULT_PARAM_ANSWER_PATTERN = `^${PARAM_PLACEHOLDER}$`;
export const PARAM_ENV_PREFIX = 'KDLABS_PARAM_';

export interface ResolvedParam {
  name: string;
  choices: string[];
  /**
   * Files in the lab that show the value because they are the measurement a step
   * teaches (a latency report per port, say); the self-test's leak check skips them.
   */
  measuredIn: string[];
}

/** A `measuredIn` path: absolute, plain characters (it travels in a shell word). */
export const MEASURED_IN_PATTERN = /^\/[A-Za-z0-9._/-]+$/;

/** The chosen value of every parameter of a lab, by parameter name. */
export type ParamValues = Record<string, string>;

export function paramEnvName(name: string): string {
  return `${PARAM_ENV_PREFIX}${name.toUpperCase()}`;
}

/**
 * The values as shell variables for the top of a script the runner sends to `bash -s`:
 * not exported, so they never show in /proc/<pid>/environ of the script or of what it
 * starts, where a learner who is root in the lab could read them while it runs.
 */
export function paramsPrelude(values: ParamValues): string {
  return Object.entries(values).map(([name, value]) => `${paramEnvName(name)}='${value.replaceAll("'", "'\\''")}'\n`).join('');
}

/** Does `pattern` compile as a regular expression? */
export function isRegExp(pattern: string): boolean {
  try { new RegExp(pattern); return true; } catch { return false; }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An answer pattern with the learner's value in place of every `{{value}}`. */
export function fillPlaceholder(template: string, value: string, escape: boolean): string {
  return template.split(PARAM_PLACEHOLDER).join(escape ? escapeRegExp(value) : value);
}

/**
 * Which of `count` choices a digest selects: its first 6 bytes as an integer,
 * modulo `count`. With at most MAX_PARAM_CHOICES choices the bias is below 2^-40.
 */
export function choiceIndex(digest: Uint8Array, count: number): number {
  if (count < 1) throw new Error('a parameter needs at least one choice');
  if (digest.length < 6) throw new Error('digest too short');
  let n = 0;
  for (let i = 0; i < 6; i++) n = n * 256 + digest[i]!;
  return n % count;
}

/** What the HMAC of a choice covers; every part is separated so ("ab","c") ≠ ("a","bc"). */
export function choiceMessage(seed: string, learnerId: string, labId: string, param: string): string {
  return ['kdlabs-param-v1', seed, learnerId, labId, param].join('\u0000');
}

/**
 * Parameter settings that together use every choice of every parameter at
 * least once (the self-test runs each): one run per choice of the parameter
 * with the most choices; the others cycle alongside.
 */
export function paramSweep(params: readonly ResolvedParam[]): ParamValues[] {
  if (params.length === 0) return [{}];
  const runs = Math.max(...params.map((p) => p.choices.length));
  const out: ParamValues[] = [];
  for (let i = 0; i < runs; i++) {
    const v: ParamValues = {};
    for (const p of params) v[p.name] = p.choices[i % p.choices.length]!;
    out.push(v);
  }
  return out;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses `name=value[,name=value…]` (a CLI flag) against a lab's parameters. */
export function parseParamAssignments(text: string, params: readonly ResolvedParam[]): ParseResult<ParamValues> {
  const out: ParamValues = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 1) return { ok: false, message: `"${part}" is not name=value` };
    const name = part.slice(0, eq), value = part.slice(eq + 1);
    const p = params.find((x) => x.name === name);
    if (!p) {
      return { ok: false, message: `unknown parameter "${name}" (${params.length ? `this lab has: ${params.map((x) => x.name).join(', ')}` : 'this lab has none'})` };
    }
    if (!p.choices.includes(value)) return { ok: false, message: `parameter ${name} has no choice "${value}" (choices: ${p.choices.join(', ')})` };
    out[name] = value;
  }
  return { ok: true, value: out };
}
