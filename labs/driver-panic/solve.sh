#!/bin/bash
# The post-mortem: crash's backtrace of the newest memory dump, saved where the
# check reads it. The fix: faulty_reset() gives the channel a fresh queue
# instead of leaving a NULL pointer for the next submit; then rebuild, reload
# and rerun the batch job.
set -euo pipefail
dump=$(ls /var/crash/*/dump.* | tail -n 1)
if ! printf '%s\n' bt quit | crash -s "/usr/lib/debug/boot/vmlinux-$(uname -r)" "$dump" > /root/bt.txt; then
  echo "crash could not read $dump:" >&2; tail -n 20 /root/bt.txt >&2; exit 1
fi
cd /root/faulty
perl -0pi -e 's/\tkfree\(ch->queue\);\n\tch->queue = NULL;[^\n]*\n/\tstruct faulty_queue *fresh = faulty_queue_alloc();\n\n\tif (!fresh)\n\t\treturn -ENOMEM;\n\tkfree(ch->queue);\n\tch->queue = fresh;\n/' faulty.c
grep -q 'ch->queue = fresh;' faulty.c
make
if lsmod | grep -q '^faulty '; then rmmod faulty; fi
insmod faulty.ko
./faulty-load
