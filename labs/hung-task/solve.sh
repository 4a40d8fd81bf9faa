#!/bin/bash
# The fix: the commit worker's error path signals the completion too, so the
# committer wakes up and gets -EFBIG instead of waiting forever. Then release
# any task still stuck on the shipped build (its abort lever), rebuild and
# reload. The nightly job is left to the workload check, which runs it: the
# module build alone can take minutes on a loaded, emulated (TCG) VM.
set -euo pipefail
cd /root/commitq
perl -0pi -e 's/(\t\t\tcq\.err = -EFBIG;\n)(\t\t\treturn;\n)/$1\t\t\tcomplete(&cq.done);\n$2/' commitq.c
grep -q 'complete(&cq.done);' <(sed -n '/cq.err = -EFBIG;/,/return;/p' commitq.c)
make
if lsmod | grep -q '^commitq '; then
  echo 1 >/sys/class/misc/commitq/abort
  for _ in $(seq 60); do rmmod commitq 2>/dev/null && break; sleep 1; done
fi
insmod commitq.ko
