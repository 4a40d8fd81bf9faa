#!/bin/bash
# Self-test only: exits 0 while the storm is raging: relayd hands the kernel one
# tiny record per write call, tens of thousands of times a second. Judged by the
# bytes per call (the fix batches ≥ 1 KiB), not by an absolute rate that a busy
# host's CPU decides.
pid=$(cat /run/relayd.pid 2>/dev/null) || { say "relayd is not running" "relayd가 실행 중이 아닙니다"; exit 1; }
sample() { awk '/^wchar/{w=$2} /^syscw/{c=$2} END{print w, c}' "/proc/$pid/io"; }
read -r w1 c1 < <(sample) || exit 1
sleep 1
read -r w2 c2 < <(sample) || exit 1
calls=$((c2 - c1)); bytes=$((w2 - w1))
say "relayd makes $calls write calls per second, $((calls > 0 ? bytes / calls : 0)) bytes each" "relayd가 초당 write 호출을 $calls번 합니다, 호출당 $((calls > 0 ? bytes / calls : 0)) 바이트"
[ "$calls" -ge 10000 ] && [ $((bytes / calls)) -lt 1024 ]
