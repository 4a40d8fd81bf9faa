#!/bin/bash
# The fault: tallyd's 8 workers are serialised on one mutex. Throughput stays under
# 1500 requests/s (the 1 ms backend call under a global lock caps it near 1000/s) and
# the threads spend at least 3000 ms per second waiting in futex (kernel-measured).
pid=$(cat /run/tallyd.pid 2>/dev/null)
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || { say "tallyd is not running" "tallyd가 실행 중이 아닙니다"; exit 1; }
rps=$(awk '$1 == "requests_per_s" { print $2 }' /run/tallyd/stats 2>/dev/null)
ms=$(ktrace locks --pid "$pid" --duration 2 --json --no-save 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin); r = d["result"]
print(round(r["futex"]["totalWaitNs"] / r["tracedSeconds"] / 1e6))')
say "throughput ${rps:-?} requests/s, futex wait ${ms:-?} ms/s" "처리량 ${rps:-?} requests/s, futex 대기 ${ms:-?} ms/s"
[ -n "$rps" ] && [ -n "$ms" ] && [ "$rps" -le 1500 ] && [ "$ms" -ge 3000 ]
