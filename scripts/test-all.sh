#!/usr/bin/env bash
# The whole test suite: prerequisites, type checks, unit tests, then the
# integration tests and every lab's self-test against the real Docker Engine.
set -euo pipefail
cd "$(dirname "$0")/.."
KDLABS_BROWSER_TESTS=1 bash scripts/ensure-prereqs.sh

# The VM image (minutes of debootstrap and apt; then a boot per VM lab to save its
# state) builds in the background while the container images, the type checks and
# the unit tests run: on a fresh machine that is most of their time, saved.
vm_log=$(mktemp /tmp/kdlabs-vm-build.XXXXXX)
node runner/bin/labs.mjs build --all --backend vm > "$vm_log" 2>&1 &
vm_pid=$!
# A failed step below ends this script: the background build goes with it (it stops its QEMU on SIGTERM).
trap 'kill "$vm_pid" 2>/dev/null || true' EXIT
printf '\n\033[1m==> Building the VM image in the background (log: %s)\033[0m\n' "$vm_log"
printf '\n\033[1m==> Building container lab images (progress below; unchanged recipes are reused)\033[0m\n'
node runner/bin/labs.mjs build --all --backend container
printf '\n\033[1m==> Type checks\033[0m\n'
npm run --silent typecheck
printf '\n\033[1m==> Unit tests\033[0m\n'
# Node 20's --test does not expand globs itself: list the files.
node --import tsx --test $(find runner/src tools docs/.vitepress/theme test/harness -name '*.test.ts' -not -name 'real-run.test.ts' -not -path '*/node_modules/*' | sort)
printf '\n\033[1m==> The VM image build (its log so far, then live until it ends)\033[0m\n'
tail -n +1 -f --pid="$vm_pid" "$vm_log"
wait "$vm_pid" || { echo "building the VM image failed (log above: $vm_log)" >&2; exit 1; }
trap - EXIT
printf '\n\033[1m==> Integration tests (real Docker Engine) and lab self-tests\033[0m\n'
# One file at a time, each within its budget ("// test-budget: Nm" at its top); a file that
# leaves a process or a lab container behind fails, naming it.
node --import tsx test/harness/run-files.ts test/*.test.ts
