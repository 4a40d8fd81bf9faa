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
if ! limits=$(catalogd --check-config 2>&1); then echo "catalogd's config has errors: $limits"; exit 1; fi
small=$(echo "$limits" | awk '/keeps at most/ && $6 < 100 { print $2 " (" $6 ")" }')
if [ -n "$small" ]; then
  echo "a cache that keeps fewer than 100 entries hardly caches: $small. Bound the cache, do not switch it off."
  exit 1
fi

pid=$(cat /run/catalogd.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then echo "catalogd is not running (catalogctl start)"; exit 1; fi
up=$(proc-age "$pid")
[ "${up:-0}" -lt "$MIN_UPTIME" ] && sleep $((MIN_UPTIME - up))   # let a fresh start fill its caches
k0=$(oom_kills); r0=$(rss_kb); s0=$(reads)
[ -n "$r0" ] || { echo "catalogd (pid $pid) went away"; exit 1; }
for t in $(seq 5 5 "$WINDOW"); do
  sleep 5
  r=$(rss_kb); k=$(oom_kills)
  if [ -z "$r" ]; then echo "catalogd (pid $pid) died after $t s of the measurement (OOM kills in the lab: $((k - k0)); see /var/log/lab/catalogd.log)"; exit 1; fi
  if [ "$k" -gt "$k0" ]; then echo "the lab's memory cgroup OOM-killed a process during the measurement (oom_kill $k0 -> $k)"; exit 1; fi
  if [ $((r - r0)) -gt "$MAX_GROWTH_KB" ]; then
    echo "catalogd's VmRSS grew from $(mib "$r0") to $(mib "$r") in $t s (at most +$(mib "$MAX_GROWTH_KB") in $WINDOW s allowed): still leaking"
    exit 1
  fi
done
rate=$(( ($(reads) - s0) / WINDOW ))
if [ "$rate" -lt "$MIN_RATE" ]; then echo "catalogd served only $rate requests/s (need >= $MIN_RATE; the shop sends 500/s)"; exit 1; fi
echo "over $WINDOW s: VmRSS $(mib "$r0") -> $(mib "$r") (+$(mib $((r - r0))), at most +$(mib "$MAX_GROWTH_KB")), no OOM kill (oom_kill $k), $rate requests/s served."
