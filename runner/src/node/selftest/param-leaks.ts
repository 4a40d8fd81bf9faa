// A per-learner value must not be readable in the lab (docs/authoring.md, "Hiding a
// per-learner value"): the self-test looks where root in the lab would look first —
// every process's environment and command line, and every file written since the
// lab started — for each parameter's value as a whole word. A parameter's
// `measuredIn` files are skipped: they show the value because reading them is the
// measurement a step teaches.
import { paramEnvName, type ParamValues, type ResolvedParam } from '../../common/params.ts';

/** Marks a leak line in the script's output; anything else it prints is a note. */
export const LEAK_MARK = 'kdlabs-param-leak';

/**
 * The script that looks, run in the lab through the session (so it gets the values
 * as shell variables, never in an environment or on a command line of its own).
 * It prints `kdlabs-param-leak <name> <where>` per leak and exits 0.
 */
export function paramLeakScript(values: ParamValues, params: readonly Pick<ResolvedParam, 'name' | 'measuredIn'>[] = []): string {
  // name:VARIABLE:path|path — measuredIn paths are plain (MEASURED_IN_PATTERN), safe in a shell word.
  const entries = Object.keys(values).map((name) =>
    `${name}:${paramEnvName(name)}:${(params.find((p) => p.name === name)?.measuredIn ?? []).join('|')}`);
  return `
start=$(( $(awk '/^btime/ { print $2 }' /proc/stat) + $(awk '{ print $22 }' /proc/1/stat) / $(getconf CLK_TCK) ))
written=$(find / \\( -path /proc -o -path /sys -o -path /dev -o -path /opt/kdlabs-check -o -path /opt/lab/.kdlabs-check \\) -prune \\
  -o -type f -newermt "@$start" -size -8M -print 2>/dev/null)
for entry in ${entries.join(' ')}; do
  name=\${entry%%:*} rest=\${entry#*:}
  var=\${rest%%:*} measured="|\${rest#*:}|"
  value=\${!var}
  for p in /proc/[0-9]*; do
    pid=\${p#/proc/}
    # This script and its own children are the runner's, not the lab's.
    [ "$pid" = "$$" ] && continue
    [ "$(awk '/^PPid/ { print $2 }' "$p/status" 2>/dev/null)" = "$$" ] && continue
    for part in environ cmdline; do
      tr '\\0' '\\n' < "$p/$part" 2>/dev/null | grep -qw -- "$value" && echo "${LEAK_MARK} $name $p/$part ($(tr '\\0' ' ' < "$p/cmdline" 2>/dev/null | cut -c1-60))"
    done
  done
  printf '%s\\n' "$written" | while IFS= read -r f; do
    [ -n "$f" ] || continue
    case "$measured" in *"|$f|"*) continue ;; esac
    grep -Iqw -- "$value" "$f" 2>/dev/null && echo "${LEAK_MARK} $name $f"
  done
done
exit 0
`;
}

/** The leaks the script reported, as "<parameter> in <where>". */
export function parseLeaks(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith(`${LEAK_MARK} `))
    .map((l) => { const [, name, ...where] = l.split(' '); return `${name} in ${where.join(' ')}`; });
}
