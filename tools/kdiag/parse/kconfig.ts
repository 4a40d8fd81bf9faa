// Kernel .config text: "CONFIG_X=y", "CONFIG_X=m", "# CONFIG_X is not set".

export type KconfigValue = string | 'not set';

export function parseKconfig(text: string, wanted: readonly string[]): Record<string, KconfigValue | null> {
  const found = new Map<string, KconfigValue>();
  for (const line of text.split('\n')) {
    const set = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (set?.[1] !== undefined) found.set(set[1], set[2] ?? '');
    const unset = /^# (CONFIG_\w+) is not set$/.exec(line);
    if (unset?.[1] !== undefined) found.set(unset[1], 'not set');
  }
  // null = the option does not exist in this kernel's config at all.
  return Object.fromEntries(wanted.map((w) => [w, found.get(w) ?? null]));
}
