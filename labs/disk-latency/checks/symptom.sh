#!/bin/bash
# Self-test only. The fault: scand's small direct random reads saturate the
# throttled data disk (QEMU: 200 requests/s), so the job runs far below its
# 1000 records/s and every read waits in the device's queue.
. /opt/lab/measure.sh
measure 8 || exit 1
echo "$summary"
# 94-101 % busy at a normal load; 82 % once at load 24, when the emulated CPU itself lagged: 60 keeps the margin.
[ "$util" -ge 60 ] || { echo "the data disk is not saturated"; exit 1; }
[ "$rq_kb" -le 8 ] || { echo "the reads are not small"; exit 1; }
[ "$rec_s" -ge 0 ] && [ "$rec_s" -le 500 ] || { echo "scand is not behind its target"; exit 1; }
awk -v p="$p99" 'BEGIN { exit !(p >= 15) }' || { echo "scand's reads do not wait"; exit 1; }
