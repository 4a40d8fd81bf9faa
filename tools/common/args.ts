// The one argv parser of the `labs` CLI (runner/src/node/cli re-exports it) and
// of kdiag and ktrace, over node:util parseArgs. It lives here because the tools
// ship inside lab images, bundled for Node 18 with nothing but Node's own
// modules; the CLI can import from here, the tools could not import the runner.
//
// What it adds to parseArgs is for a person at a prompt: a bad argument is named
// with the valid choices, numbers are checked, repeatable options collect every
// value, and `--help` counts only where an option can be (not after `--`, not as
// another option's value).
import { parseArgs as nodeParseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type FlagKind = 'boolean' | 'integer' | 'number' | 'string';

export interface FlagSpec {
  readonly kind: FlagKind;
  readonly help?: string;
  /** Placeholder shown in help, e.g. SECONDS. */
  readonly metavar?: string;
  /** May be given more than once; every value is kept, in order. */
  readonly multiple?: boolean;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export type FlagValue = boolean | number | string;

export interface ParsedArgs {
  readonly positionals: string[];
  /** A repeatable option's values as an array; any other option's single value. */
  readonly flags: ReadonlyMap<string, FlagValue | readonly FlagValue[]>;
}

/** `-h` is short for `--help` wherever the specs have a `help` option. */
const HELP = 'help';

export function parseArgs(argv: readonly string[], specs: FlagSpecs): ParsedArgs {
  const valid = Object.keys(specs).map((n) => `--${n}`).join(', ');
  const options: Record<string, { type: 'boolean' | 'string'; multiple?: boolean; short?: string }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = {
      type: spec.kind === 'boolean' ? 'boolean' : 'string',
      ...(spec.multiple ? { multiple: true } : {}),
      ...(name === HELP ? { short: 'h' } : {}),
    };
  }
  // Not strict: this code checks each option itself, so every message can name the option and the choices.
  const { tokens } = nodeParseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });

  const positionals: string[] = [];
  const flags = new Map<string, FlagValue | FlagValue[]>();
  for (const token of tokens) {
    if (token.kind === 'positional') { positionals.push(token.value); continue; }
    if (token.kind === 'option-terminator') continue;
    const spec = Object.prototype.hasOwnProperty.call(specs, token.name) ? specs[token.name] : undefined;
    if (spec === undefined) {
      throw new UsageError(`unknown option '${token.rawName}' (valid options: ${valid || 'none'}; a value that starts with '-' goes after '--')`);
    }
    const value = optionValue(token.rawName, spec, token.value, token.inlineValue);
    if (spec.multiple) {
      const list = flags.get(token.name);
      if (Array.isArray(list)) list.push(value); else flags.set(token.name, [value]);
    } else {
      if (flags.has(token.name)) throw new UsageError(`option '${token.rawName}' is given more than once; it takes one value`);
      flags.set(token.name, value);
    }
  }
  return { positionals, flags };
}

function optionValue(rawName: string, spec: FlagSpec, raw: string | undefined, inline: boolean | undefined): FlagValue {
  if (spec.kind === 'boolean') {
    if (raw !== undefined) throw new UsageError(`option '${rawName}' takes no value`);
    return true;
  }
  // "--title --json": the next word is another option, not this one's value.
  if (raw === undefined || raw === '' || (!inline && raw.startsWith('-') && raw !== '-')) {
    throw new UsageError(`option '${rawName}' needs a value (${spec.metavar ?? spec.kind}); a value starting with '-' is written ${rawName}=<value>`);
  }
  return spec.kind === 'string' ? raw : parseNumber(rawName, raw, spec.kind === 'integer');
}

function parseNumber(rawName: string, raw: string, integer: boolean): number {
  if (!(integer ? /^\d+$/ : /^\d+(\.\d+)?$/).test(raw)) {
    throw new UsageError(`option '${rawName}' expects a non-negative ${integer ? 'integer' : 'number'}, got '${raw}'`);
  }
  return Number(raw);
}

/** Checks a numeric flag against an inclusive range, naming the flag on failure. */
export function numberInRange(flags: ParsedArgs['flags'], name: string, fallback: number, min: number, max: number): number {
  const v = flags.get(name);
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || v < min || v > max) {
    throw new UsageError(`option '--${name}' must be between ${min} and ${max}, got '${String(v)}'`);
  }
  return v;
}

/** A single-valued string option (the last value of a repeatable one). */
export function flagString(flags: ParsedArgs['flags'], name: string): string | undefined {
  const v = flags.get(name);
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof last === 'string' ? last : undefined;
}

/** Every value of a repeatable string option, in the order given. */
export function flagStrings(flags: ParsedArgs['flags'], name: string): string[] {
  const v = flags.get(name);
  const all: readonly FlagValue[] = v === undefined ? [] : Array.isArray(v) ? v : [v as FlagValue];
  return all.filter((x): x is string => typeof x === 'string');
}

export function flagSet(flags: ParsedArgs['flags'], name: string): boolean {
  return flags.get(name) === true;
}

/** Help lines for the options table, aligned. */
export function formatFlagHelp(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => [`--${name}${s.metavar ? ` ${s.metavar}` : ''}${s.multiple ? ' ...' : ''}`, s.help ?? ''] as const);
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`).join('\n');
}
