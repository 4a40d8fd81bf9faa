#!/bin/bash
# The fix: faulty_reset() gives the channel a fresh queue instead of leaving a
# NULL pointer for the next submit; then rebuild, reload and rerun the batch job.
set -euo pipefail
cd /root/faulty
perl -0pi -e 's/\tkfree\(ch->queue\);\n\tch->queue = NULL;[^\n]*\n/\tstruct faulty_queue *fresh = faulty_queue_alloc();\n\n\tif (!fresh)\n\t\treturn -ENOMEM;\n\tkfree(ch->queue);\n\tch->queue = fresh;\n/' faulty.c
grep -q 'ch->queue = fresh;' faulty.c
make
if lsmod | grep -q '^faulty '; then rmmod faulty; fi
insmod faulty.ko
./faulty-load
