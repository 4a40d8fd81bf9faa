#!/bin/bash
# Self-test only: exits 0 while the stall is there. Reads the probe's own measurements
# (/var/log/orders/latency.log, 20 lookups a second) from now on, for at least 20 s and at
# most 50 s, and passes once p99 ≥ 1000 ms while p50 ≤ 250 ms: most requests are fast,
# and a few take seconds.
LOG=/var/log/orders/latency.log
[ -f "$LOG" ] || { say "$LOG does not exist: the probe is not running" "$LOG 파일이 없습니다: 프로브가 실행 중이 아닙니다"; exit 1; }
since=$(( $(date +%s%N) / 1000000 ))
stats() {
  awk -v since="$since" '$1 >= since { print $2 }' "$LOG" | sort -n | awk '
    { v[NR] = $1 }
    END {
      n = NR; if (n == 0) { print 0, 0, 0, 0; exit }
      i50 = int(n * 0.50) + 1; i99 = int(n * 0.99) + 1; if (i99 > n) i99 = n
      print n, v[i50], v[i99], v[n]
    }'
}
for elapsed in 20 25 30 35 40 45 50; do
  sleep $(( elapsed == 20 ? 20 : 5 ))
  read -r n p50 p99 max < <(stats)
  if [ "$n" -ge $(( elapsed * 15 )) ] && awk -v a="$p99" -v b="$p50" 'BEGIN { exit !(a >= 1000 && b <= 250) }'; then
    say "over ${elapsed} s: $n requests, p50 ${p50} ms, p99 ${p99} ms, max ${max} ms" "${elapsed} s 동안: 요청 $n개, p50 ${p50} ms, p99 ${p99} ms, 최대 ${max} ms"
    exit 0
  fi
done
say "no stall measured in 50 s: $n requests, p50 ${p50} ms, p99 ${p99} ms, max ${max} ms (need p99 ≥ 1000 ms, p50 ≤ 250 ms)" "50 s 동안 멈춤이 측정되지 않았습니다: 요청 $n개, p50 ${p50} ms, p99 ${p99} ms, 최대 ${max} ms (기준: p99 ≥ 1000 ms, p50 ≤ 250 ms)"
exit 1
