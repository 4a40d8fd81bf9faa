#!/bin/bash
# Passes when the running quoted has no more worker threads than whole CPUs in the
# lab's CFS quota (counted from the kernel's thread list, not from the config file).
pid=$(cat /run/quoted.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then echo "quoted is not running (quotectl start)"; exit 1; fi
if [ -r /sys/fs/cgroup/cpu.max ]; then read -r quota period < /sys/fs/cgroup/cpu.max
else
  d=/sys/fs/cgroup/cpu; [ -r $d/cpu.cfs_quota_us ] || d=/sys/fs/cgroup/cpu,cpuacct
  quota=$(cat $d/cpu.cfs_quota_us); period=$(cat $d/cpu.cfs_period_us)
fi
case "$quota" in max|-1) echo "this lab has no CPU quota (cpu.max: $quota) — nothing to size the pool to"; exit 1 ;; esac
cpus=$(awk -v q="$quota" -v p="$period" 'BEGIN { printf "%.1f", q / p }')
fit=$(( quota / period ))
n=$(cat /proc/"$pid"/task/*/comm 2>/dev/null | grep -c '^quoted-worker$')
if [ "$n" -lt 1 ]; then echo "quoted runs no worker threads: nobody would do the repricing work"; exit 1; fi
if [ "$n" -gt "$fit" ]; then
  echo "quoted runs $n worker threads; the quota is $cpus CPUs ($quota µs per $period µs): more than $fit can run at once only by being throttled."
  exit 1
fi
echo "quoted runs $n worker thread(s) within a quota of $cpus CPUs."
