#!/bin/bash
# Throughput of the running tallyd over ~3 s: at least 2000 requests/s (one global
# lock held across the 1 ms backend call caps it near 1000/s), with at least 8 worker
# threads. The service's own counter is cross-checked with the kernel's: every request
# sleeps once in the backend call, so the workers' voluntary context switches
# (/proc/<pid>/task/*/status) must keep up with the requests counted. The counter is
# written once a second, the switches are read when the check sees the new counter: on a
# loaded machine that lag makes the two windows differ by up to ~15%, hence 60%.
MIN_RPS=2000
MIN_WORKERS=8
pid=$(cat /run/tallyd.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then say "tallyd is not running (tallyctl start)" "tallyd가 실행 중이 아닙니다 (tallyctl start)"; exit 1; fi
workers=$(( $(ls "/proc/$pid/task" | wc -l) - 1 ))
if [ "$workers" -lt "$MIN_WORKERS" ]; then
  say "tallyd runs $workers worker threads; keep at least $MIN_WORKERS (fewer threads contend less but serve less)" "tallyd가 워커 스레드 $workers개를 실행합니다; 적어도 $MIN_WORKERS개를 유지하십시오 (스레드가 적으면 경합은 줄지만 처리량도 줄어듭니다)"
  exit 1
fi
total() { awk '$1 == "requests_total" { print $2 }' /run/tallyd/stats 2>/dev/null; }
vcs() { cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }'; }
# Sample right after the service rewrites its stats (once a second), twice, ~3 s apart.
fresh() {
  local before; before=$(total)
  for _ in $(seq 1 60); do
    local now; now=$(total)
    if [ -n "$now" ] && [ "$now" != "$before" ]; then echo "$(date +%s%N) $now $(vcs)"; return; fi
    sleep 0.05
  done
}
read -r t1 r1 v1 < <(fresh)
sleep 2.5
read -r t2 r2 v2 < <(fresh)
if [ -z "$t1" ] || [ -z "$t2" ]; then say "tallyd did not update /run/tallyd/stats (is it running? tallyctl status)" "tallyd가 /run/tallyd/stats를 갱신하지 않았습니다 (실행 중입니까? tallyctl status)"; exit 1; fi
rps=$(( (r2 - r1) * 1000000000 / (t2 - t1) ))
vps=$(( (v2 - v1) * 1000000000 / (t2 - t1) ))
if [ "$vps" -lt $(( rps * 6 / 10 )) ]; then
  say "tallyd reports $rps requests/s but its threads slept only $vps times/s: the numbers do not add up" "tallyd는 $rps requests/s를 보고하지만 그 스레드들은 초당 $vps번만 잠들었습니다: 숫자가 맞지 않습니다"
  exit 1
fi
if [ "$rps" -lt "$MIN_RPS" ]; then
  say "throughput: $rps requests/s with $workers workers (need ≥ $MIN_RPS/s)" "처리량: 워커 $workers개로 $rps requests/s (기준: ≥ $MIN_RPS/s)"
  exit 1
fi
say "throughput: $rps requests/s with $workers workers (need ≥ $MIN_RPS/s; the kernel saw $vps sleeps/s)." "처리량: 워커 $workers개로 $rps requests/s (기준: ≥ $MIN_RPS/s; 커널이 본 잠듦: 초당 $vps번)."
