#!/bin/bash
# Time tallyd's threads spent waiting for user-space locks (futex waits, from the
# syscalls:sys_enter/exit_futex tracepoints via ktrace, this process only) over 3 s,
# per request served in the same window: at most 1 ms. With one global lock each
# request queues behind the other seven workers' 1 ms backend calls (~8 ms of waiting).
# Per request rather than per second, so a loaded machine (fewer requests, longer
# waits for a descheduled lock holder) does not move the verdict. The request count
# is the smaller of the service's counter and the kernel's count of the workers'
# voluntary sleeps (every request sleeps once in the backend call).
MAX_WAIT_US_PER_REQUEST=1000
MIN_WORKERS=8
pid=$(cat /run/tallyd.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then say "tallyd is not running (tallyctl start)" "tallyd가 실행 중이 아닙니다 (tallyctl start)"; exit 1; fi
workers=$(( $(ls "/proc/$pid/task" | wc -l) - 1 ))
if [ "$workers" -lt "$MIN_WORKERS" ]; then
  say "tallyd runs $workers worker threads; keep at least $MIN_WORKERS" "tallyd가 워커 스레드 $workers개를 실행합니다; 적어도 $MIN_WORKERS개를 유지하십시오"
  exit 1
fi
total() { awk '$1 == "requests_total" { print $2 }' /run/tallyd/stats 2>/dev/null; }
vcs() { cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }'; }
r1=$(total); v1=$(vcs); t1=$(date +%s%N)
read -r wait_ns waits traced_ns < <(ktrace locks --pid "$pid" --duration 3 --json --no-save 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
if not d.get("ok"): sys.exit(1)
r = d["result"]; f = r["futex"]
print(f["totalWaitNs"], f["totalWaits"], round(r["tracedSeconds"] * 1e9))')
r2=$(total); v2=$(vcs); t2=$(date +%s%N)
if [ -z "$wait_ns" ] || [ -z "$r1" ] || [ -z "$r2" ]; then say "could not trace tallyd (try: ktrace locks --pid $pid)" "tallyd를 추적하지 못했습니다 (시도: ktrace locks --pid $pid)"; exit 1; fi
# ktrace's window is inside [t1, t2] (bpftrace needs a moment to start): scale the counts to it.
reqs=$(( r2 - r1 )); sleeps=$(( v2 - v1 ))
[ "$sleeps" -lt "$reqs" ] && reqs=$sleeps
reqs=$(( reqs * traced_ns / (t2 - t1) ))
[ "$reqs" -gt 0 ] || { say "tallyd served no requests while traced" "추적하는 동안 tallyd가 요청을 하나도 처리하지 않았습니다"; exit 1; }
per_req_us=$(( wait_ns / 1000 / reqs ))
ms_per_s=$(( wait_ns / (traced_ns / 1000) ))
summary=$(say "lock wait: ${per_req_us} us per request (${ms_per_s} ms per second over all threads, $waits futex waits in 3 s)" "락 대기: 요청당 ${per_req_us} us (모든 스레드 합계 초당 ${ms_per_s} ms, 3 s 동안 futex 대기 $waits번)")
if [ "$per_req_us" -gt "$MAX_WAIT_US_PER_REQUEST" ]; then
  say "$summary; need ≤ $MAX_WAIT_US_PER_REQUEST us per request" "$summary; 기준: 요청당 ≤ $MAX_WAIT_US_PER_REQUEST us"
  exit 1
fi
say "$summary; was ~8000 us per request (~7000 ms/s) with one global lock." "$summary; 전역 락 하나일 때는 요청당 ~8000 us (~7000 ms/s)였습니다."
