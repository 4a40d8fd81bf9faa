// A small argument parser: positionals, --flag, --key value, --key=value.
// Unknown flags are errors that name the flag and list the valid ones.

export interface ParsedArgs { positionals: string[]; flags: Map<string, string | true> }

export class UsageError extends Error {}

export function parseArgs(argv: string[], known: Record<string, 'bool' | 'value'>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('--') || a === '--') { positionals.push(a); continue; }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const kind = known[name];
    if (!kind) {
      const valid = Object.keys(known).map((k) => `--${k}`).join(', ');
      throw new UsageError(`unknown option --${name}${valid ? ` (valid here: ${valid})` : ''}`);
    }
    if (kind === 'bool') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      flags.set(name, v);
    }
  }
  return { positionals, flags };
}

export function flagValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
