#!/bin/bash
# Passes when the running quoted has no more worker threads than whole CPUs in the
# lab's CFS quota (counted from the kernel's thread list, not from the config file).
pid=$(cat /run/quoted.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then say "quoted is not running (quotectl start)" "quoted가 실행 중이 아닙니다 (quotectl start)"; exit 1; fi
if [ -r /sys/fs/cgroup/cpu.max ]; then read -r quota period < /sys/fs/cgroup/cpu.max
else
  d=/sys/fs/cgroup/cpu; [ -r $d/cpu.cfs_quota_us ] || d=/sys/fs/cgroup/cpu,cpuacct
  quota=$(cat $d/cpu.cfs_quota_us); period=$(cat $d/cpu.cfs_period_us)
fi
case "$quota" in max|-1) say "this lab has no CPU quota (cpu.max: $quota) — nothing to size the pool to" "이 실습에는 CPU 할당량이 없습니다 (cpu.max: $quota) — 풀 크기를 맞출 기준이 없습니다"; exit 1 ;; esac
cpus=$(awk -v q="$quota" -v p="$period" 'BEGIN { printf "%.1f", q / p }')
fit=$(( quota / period ))
n=$(cat /proc/"$pid"/task/*/comm 2>/dev/null | grep -c '^quoted-worker$')
if [ "$n" -lt 1 ]; then say "quoted runs no worker threads: nobody would do the repricing work" "quoted가 워커 스레드를 하나도 실행하지 않습니다: 가격 재계산 작업을 할 스레드가 없습니다"; exit 1; fi
if [ "$n" -gt "$fit" ]; then
  say "quoted runs $n worker threads; the quota is $cpus CPUs ($quota µs per $period µs): more than $fit can run at once only by being throttled." "quoted가 워커 스레드 $n개를 실행합니다; 할당량은 CPU $cpus개입니다 ($period µs마다 $quota µs): $fit개보다 많은 스레드가 동시에 실행되려면 스로틀링될 수밖에 없습니다."
  exit 1
fi
say "quoted runs $n worker thread(s) within a quota of $cpus CPUs." "quoted가 CPU $cpus개의 할당량 안에서 워커 스레드 $n개를 실행합니다."
