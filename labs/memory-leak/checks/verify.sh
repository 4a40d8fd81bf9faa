#!/bin/bash
# Measures catalogd for 60 s from the kernel's own counters: its resident memory
# (VmRSS in /proc/<pid>/status) may grow by at most 16 MiB, the lab's memory
# cgroup may OOM-kill nothing (v2 memory.events / v1 memory.oom_control:
# oom_kill), the same process must serve the whole time, at least 400 requests
# a second (catalog-load sends 500; each request is one read(2): syscr in
# /proc/<pid>/io). Every cache must still cache (max_entries >= 100).
WINDOW=60
MAX_GROWTH_KB=$((16 * 1024))
MIN_RATE=400
MIN_UPTIME=5
oom_kills() {
  if [ -r /sys/fs/cgroup/memory.events ]; then awk '$1 == "oom_kill" { print $2 }' /sys/fs/cgroup/memory.events
  else awk '$1 == "oom_kill" { print $2 }' /sys/fs/cgroup/memory/memory.oom_control; fi
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null; }
reads() { awk '/^syscr:/ { print $2 }' "/proc/$pid/io" 2>/dev/null; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# The limits catalogd reads from its config (the same parser as the service).
if ! limits=$(catalogd --check-config 2>&1); then say "catalogd's config has errors: $limits" "catalogd의 설정에 오류가 있습니다: $limits"; exit 1; fi
small=$(echo "$limits" | awk '/keeps at most/ && $6 < 100 { print $2 " (" $6 ")" }')
if [ -n "$small" ]; then
  say "a cache that keeps fewer than 100 entries hardly caches: $small. Bound the cache, do not switch it off." "항목을 100개보다 적게 보관하는 캐시는 캐시 역할을 거의 하지 못합니다: $small. 캐시를 끄지 말고 크기를 제한하십시오."
  exit 1
fi

pid=$(cat /run/catalogd.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then say "catalogd is not running (catalogctl start)" "catalogd가 실행 중이 아닙니다 (catalogctl start)"; exit 1; fi
up=$(proc-age "$pid")
[ "${up:-0}" -lt "$MIN_UPTIME" ] && sleep $((MIN_UPTIME - up))   # let a fresh start fill its caches
k0=$(oom_kills); r0=$(rss_kb); s0=$(reads)
[ -n "$r0" ] || { say "catalogd (pid $pid) went away" "catalogd (pid $pid)가 사라졌습니다"; exit 1; }
for t in $(seq 5 5 "$WINDOW"); do
  sleep 5
  r=$(rss_kb); k=$(oom_kills)
  if [ -z "$r" ]; then say "catalogd (pid $pid) died after $t s of the measurement (OOM kills in the lab: $((k - k0)); see /var/log/lab/catalogd.log)" "catalogd (pid $pid)가 측정 $t s 만에 죽었습니다 (실습의 OOM kill: $((k - k0)); /var/log/lab/catalogd.log를 보십시오)"; exit 1; fi
  if [ "$k" -gt "$k0" ]; then say "the lab's memory cgroup OOM-killed a process during the measurement (oom_kill $k0 -> $k)" "측정 중에 실습의 메모리 cgroup이 프로세스를 OOM kill했습니다 (oom_kill $k0 -> $k)"; exit 1; fi
  if [ $((r - r0)) -gt "$MAX_GROWTH_KB" ]; then
    say "catalogd's VmRSS grew from $(mib "$r0") to $(mib "$r") in $t s (at most +$(mib "$MAX_GROWTH_KB") in $WINDOW s allowed): still leaking" "catalogd의 VmRSS가 $t s 동안 $(mib "$r0")에서 $(mib "$r")로 늘었습니다 ($WINDOW s 동안 최대 +$(mib "$MAX_GROWTH_KB") 허용): 아직 누수가 있습니다"
    exit 1
  fi
done
rate=$(( ($(reads) - s0) / WINDOW ))
if [ "$rate" -lt "$MIN_RATE" ]; then say "catalogd served only $rate requests/s (need >= $MIN_RATE; the shop sends 500/s)" "catalogd가 처리한 요청은 $rate requests/s뿐입니다 (기준: >= $MIN_RATE; 상점은 500/s를 보냅니다)"; exit 1; fi
say "over $WINDOW s: VmRSS $(mib "$r0") -> $(mib "$r") (+$(mib $((r - r0))), at most +$(mib "$MAX_GROWTH_KB")), no OOM kill (oom_kill $k), $rate requests/s served." "$WINDOW s 동안: VmRSS $(mib "$r0") -> $(mib "$r") (+$(mib $((r - r0))), 최대 +$(mib "$MAX_GROWTH_KB")), OOM kill 없음 (oom_kill $k), $rate requests/s 처리."
