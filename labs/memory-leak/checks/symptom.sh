#!/bin/bash
# Self-test only: exits 0 while catalogd leaks. Over 5 s its resident memory
# (VmRSS, from the kernel) grows by at least 20 MiB, or the lab's memory cgroup
# OOM-kills it (v2 memory.events, v1 memory.oom_control: oom_kill).
oom_kills() {
  if [ -r /sys/fs/cgroup/memory.events ]; then awk '$1 == "oom_kill" { print $2 }' /sys/fs/cgroup/memory.events
  else awk '$1 == "oom_kill" { print $2 }' /sys/fs/cgroup/memory/memory.oom_control; fi
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
pid=$(cat /run/catalogd.pid 2>/dev/null) || { say "catalogd is not running" "catalogd가 실행 중이 아닙니다"; exit 1; }
k1=$(oom_kills); r1=$(rss_kb "$pid")
sleep 5
r2=$(rss_kb "$pid")
[ -z "$r2" ] && sleep 1   # killed in the window: let the kill be counted
k2=$(oom_kills)
if [ "$k2" -gt "$k1" ]; then say "the lab's memory cgroup OOM-killed $((k2 - k1)) process(es) in 5 s (oom_kill $k2)" "실습의 메모리 cgroup이 5 s 동안 프로세스 $((k2 - k1))개를 OOM kill했습니다 (oom_kill $k2)"; exit 0; fi
if [ -n "$r1" ] && [ -n "$r2" ]; then
  say "catalogd (pid $pid) VmRSS ${r1} kB -> ${r2} kB in 5 s" "catalogd (pid $pid) VmRSS: 5 s 동안 ${r1} kB -> ${r2} kB"
  [ $((r2 - r1)) -ge $((20 * 1024)) ]
else
  say "catalogd (pid $pid) went away during the measurement, but no OOM kill was counted" "측정 중에 catalogd (pid $pid)가 사라졌지만, 집계된 OOM kill은 없습니다"; exit 1
fi
