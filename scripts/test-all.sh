#!/usr/bin/env bash
# The whole test suite: prerequisites, type checks, unit tests, then the
# integration tests and every lab's self-test against the real Docker Engine.
set -euo pipefail
cd "$(dirname "$0")/.."
KDLABS_BROWSER_TESTS=1 bash scripts/ensure-prereqs.sh
printf '\n\033[1m==> Building lab images (progress below; unchanged recipes are reused)\033[0m\n'
node runner/bin/labs.mjs build --all
printf '\n\033[1m==> Type checks\033[0m\n'
npm run --silent typecheck
printf '\n\033[1m==> Unit tests\033[0m\n'
# Node 20's --test does not expand globs itself: list the files.
node --import tsx --test $(find runner/src tools docs/.vitepress/theme test/harness -name '*.test.ts' -not -name 'real-run.test.ts' -not -path '*/node_modules/*' | sort)
printf '\n\033[1m==> Integration tests (real Docker Engine) and lab self-tests\033[0m\n'
# One file at a time, each within its budget ("// test-budget: Nm" at its top); a file that
# leaves a process or a lab container behind fails, naming it.
node --import tsx test/harness/run-files.ts test/*.test.ts
