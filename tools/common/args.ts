// Minimal argv parser shared by kdiag and ktrace. Hand-written (instead of
// util.parseArgs) so a bad argument produces a message that names it and
// lists the valid choices, which is what learners need at a lab prompt.

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type FlagKind = 'boolean' | 'integer' | 'number' | 'string';

export interface FlagSpec {
  readonly kind: FlagKind;
  readonly help: string;
  /** Placeholder shown in help, e.g. SECONDS. */
  readonly metavar?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export type FlagValue = boolean | number | string;

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: ReadonlyMap<string, FlagValue>;
}

export function parseArgs(argv: readonly string[], specs: FlagSpecs): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, FlagValue>();
  const valid = Object.keys(specs).map((n) => `--${n}`).join(', ');

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h') {
      flags.set('help', true);
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg !== '-') {
        throw new UsageError(`unknown option '${arg}' (valid options: ${valid})`);
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = specs[name];
    if (spec === undefined) {
      throw new UsageError(`unknown option '--${name}' (valid options: ${valid})`);
    }
    if (spec.kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`option '--${name}' takes no value`);
      flags.set(name, true);
      continue;
    }
    let raw: string | undefined;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      i++;
    }
    if (raw === undefined || raw === '') {
      throw new UsageError(`option '--${name}' needs a value (${spec.metavar ?? spec.kind})`);
    }
    flags.set(name, spec.kind === 'string' ? raw : parseNumber(name, raw, spec.kind === 'integer'));
  }
  return { positionals, flags };
}

function parseNumber(name: string, raw: string, integer: boolean): number {
  if (!(integer ? /^\d+$/ : /^\d+(\.\d+)?$/).test(raw)) {
    throw new UsageError(`option '--${name}' expects a non-negative ${integer ? 'integer' : 'number'}, got '${raw}'`);
  }
  return Number(raw);
}

/** Checks a numeric flag against an inclusive range, naming the flag on failure. */
export function numberInRange(flags: ReadonlyMap<string, FlagValue>, name: string, fallback: number, min: number, max: number): number {
  const v = flags.get(name);
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || v < min || v > max) {
    throw new UsageError(`option '--${name}' must be between ${min} and ${max}, got '${String(v)}'`);
  }
  return v;
}

export function flagString(flags: ReadonlyMap<string, FlagValue>, name: string): string | undefined {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagSet(flags: ReadonlyMap<string, FlagValue>, name: string): boolean {
  return flags.get(name) === true;
}

/** Help lines for the options table, aligned. */
export function formatFlagHelp(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => [`--${name}${s.metavar ? ` ${s.metavar}` : ''}`, s.help] as const);
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`).join('\n');
}
