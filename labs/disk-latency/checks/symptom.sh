#!/bin/bash
# Self-test only. The fault: scand's small direct random reads saturate the
# throttled data disk (QEMU: 200 requests/s), so the job runs far below its
# 1000 records/s and every read waits in the device's queue.
. /opt/lab/measure.sh
measure 8 || exit 1
say "$summary" "데이터 디스크 $(data_dev): ${r_s} reads/s, 읽기당 ${rq_kb} KiB, 평균 ${await_ms} ms, ${util}% 바쁨; scand: ${rec_s} records/s, p99 ${p99} ms"
# 94-101 % busy at a normal load; 82 % once at load 24, when the emulated CPU itself lagged: 60 keeps the margin.
[ "$util" -ge 60 ] || { say "the data disk is not saturated" "데이터 디스크가 포화되지 않았습니다"; exit 1; }
[ "$rq_kb" -le 8 ] || { say "the reads are not small" "읽기가 작지 않습니다"; exit 1; }
[ "$rec_s" -ge 0 ] && [ "$rec_s" -le 500 ] || { say "scand is not behind its target" "scand가 목표에 뒤처지지 않았습니다"; exit 1; }
awk -v p="$p99" 'BEGIN { exit !(p >= 15) }' || { say "scand's reads do not wait" "scand의 읽기가 기다리지 않습니다"; exit 1; }
