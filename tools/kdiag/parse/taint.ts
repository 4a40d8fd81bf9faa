// /proc/sys/kernel/tainted is a bitmask; each bit has a letter (as in Oops
// headers, "Tainted: G  W  O") and a meaning (Documentation/admin-guide/tainted-kernels.rst).

export interface TaintFlag {
  readonly bit: number;
  readonly letter: string;
  readonly description: string;
}

const TAINT_FLAGS: readonly (readonly [string, string])[] = [
  ['P', 'proprietary module loaded'],
  ['F', 'module was force loaded'],
  ['S', 'kernel running on an out-of-spec system'],
  ['R', 'module was force unloaded'],
  ['M', 'machine check exception occurred'],
  ['B', 'bad page referenced or unexpected page flags'],
  ['U', 'taint requested by userspace'],
  ['D', 'kernel died recently (OOPS or BUG)'],
  ['A', 'ACPI table overridden by user'],
  ['W', 'kernel issued a warning (WARN_ON)'],
  ['C', 'staging driver loaded'],
  ['I', 'workaround for platform firmware bug applied'],
  ['O', 'out-of-tree module loaded'],
  ['E', 'unsigned module loaded'],
  ['L', 'soft lockup occurred'],
  ['K', 'kernel has been live patched'],
  ['X', 'auxiliary taint (distribution-defined)'],
  ['T', 'kernel built with struct randomization plugin'],
  ['N', 'in-kernel test has been run'],
  ['J', 'userspace used a mutating debug operation in fwctl'],
];

export function decodeTaint(value: number): TaintFlag[] {
  const out: TaintFlag[] = [];
  for (let bit = 0; bit < 32; bit++) {
    // Use division rather than bit ops: the mask is an unsigned value that may exceed 2^31.
    if (Math.floor(value / 2 ** bit) % 2 === 1) {
      const known = TAINT_FLAGS[bit];
      out.push({ bit, letter: known?.[0] ?? '?', description: known?.[1] ?? `unknown taint bit ${bit}` });
    }
  }
  return out;
}
