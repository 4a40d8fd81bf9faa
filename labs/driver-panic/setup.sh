#!/bin/bash
# Each session: the module is already built (prepare.sh ran before the VM state
# was saved); check the kernel will panic on the Oops, and put everything on disk.
# Nothing is loaded: the learner does that.
set -euo pipefail
[ -f /root/faulty/faulty.ko ] || { echo "/root/faulty/faulty.ko is missing: the lab's prepare.sh did not run" >&2; exit 1; }
sysctl -q kernel.panic_on_oops | grep -q '= 1' || { echo "kernel.panic_on_oops is not 1 (is oops=panic on the kernel command line?)" >&2; exit 1; }
sync # the learner is about to crash this kernel: put the build on disk first
