// What every script the runner runs in a lab (checks, setup, the self-test's) can call
// without defining it: `say EN KO` prints the
// learner's language (the runner passes it as KDLABS_LANG), so a check speaks
// Korean on a Korean page and English everywhere else (the CLI, logs).
export const CHECK_PRELUDE = `say() { if [ "\${KDLABS_LANG:-en}" = ko ] && [ $# -ge 2 ]; then printf '%s\\n' "$2"; else printf '%s\\n' "$1"; fi; }\n`;
