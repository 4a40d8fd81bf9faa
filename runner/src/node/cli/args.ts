// The `labs` command line's arguments, through the one parser the CLI shares
// with kdiag and ktrace (tools/common/args.ts, over node:util parseArgs). The CLI
// names its options by shape only: 'bool', 'value', or 'values' (repeatable);
// every command also takes --help (-h).
import { flagSet, flagString, flagStrings, parseArgs, UsageError, type FlagSpecs } from '../../../../tools/common/args.ts';

export { UsageError };

export type FlagShape = 'bool' | 'value' | 'values';

export interface ParsedArgs {
  positionals: string[];
  /** Each option given: true for a 'bool', the (last) value for a 'value' or 'values'. */
  flags: Map<string, string | true>;
  /** Every value of a 'values' option, in order. */
  lists: Map<string, string[]>;
  /** --help or -h in option position (after `--` it is a word, e.g. inside an answer). */
  help: boolean;
}

export function parseCliArgs(argv: readonly string[], shapes: Record<string, FlagShape>): ParsedArgs {
  const specs: Record<string, FlagSpecs[string]> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    specs[name] = shape === 'bool' ? { kind: 'boolean' } : { kind: 'string', ...(shape === 'values' ? { multiple: true } : {}) };
  }
  specs.help ??= { kind: 'boolean' };
  const parsed = parseArgs(argv, specs);
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  for (const name of parsed.flags.keys()) {
    if (name === 'help') continue;
    if (shapes[name] === 'bool') { if (flagSet(parsed.flags, name)) flags.set(name, true); continue; }
    const value = flagString(parsed.flags, name);
    if (value !== undefined) flags.set(name, value);
    if (shapes[name] === 'values') lists.set(name, flagStrings(parsed.flags, name));
  }
  return { positionals: parsed.positionals, flags, lists, help: flagSet(parsed.flags, 'help') };
}

export function flagValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagValues(args: ParsedArgs, name: string): string[] {
  return args.lists.get(name) ?? [];
}
