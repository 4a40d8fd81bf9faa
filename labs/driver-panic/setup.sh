#!/bin/bash
# Each session: the module is already built and on the saved disk (prepare.sh
# ran, and synced, before the VM state was saved); check the kernel will panic
# on the Oops. Nothing is loaded: the learner does that. Bash builtins only:
# right after a restore on TCG every new process costs ~0.15 s of the Start.
set -euo pipefail
[ -f /root/faulty/faulty.ko ] || { echo "/root/faulty/faulty.ko is missing: the lab's prepare.sh did not run" >&2; exit 1; }
read -r oops </proc/sys/kernel/panic_on_oops
[ "$oops" = 1 ] || { echo "kernel.panic_on_oops is $oops, not 1 (is oops=panic on the kernel command line?)" >&2; exit 1; }
