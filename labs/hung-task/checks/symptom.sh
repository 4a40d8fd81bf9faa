#!/bin/bash
# Self-test only. The fault: with the shipped module the nightly job leaves
# tasks in D state in the commitq driver and the hung-task detector reports
# them. Loads the shipped build, starts the job in the background (its output
# to a file: stuck tasks would keep this script's output open), waits for the
# kernel's report, counts the stuck tasks, then releases them with the
# driver's abort lever and unloads it, so the walkthrough starts from a clean
# kernel.
lsmod | grep -q '^commitq ' || insmod /root/commitq/commitq.ko
log=/var/log/lab/commitq-load.symptom.log
setsid /root/commitq/commitq-load >"$log" 2>&1 </dev/null &
report=
for _ in $(seq 40); do
  sleep 1
  report=$(dmesg | awk '/blocked for more than/ { t = $0 } t && /\[commitq\]/ { print t; exit }')
  [ -n "$report" ] && break
done
stuck=0
for f in $(grep -l '\[commitq\]' /proc/[0-9]*/task/[0-9]*/stack 2>/dev/null); do
  [ "$(sed -n 's/.*) \(.\).*/\1/p' "${f%/stack}/stat" 2>/dev/null)" = D ] && stuck=$((stuck + 1))
done
state=$(head -n 1 /dev/commitq)
say "D-state tasks in commitq: $stuck; $state; report: ${report:-none}" "commitq에서 D 상태인 태스크: $stuck; $state; 보고: ${report:-없음}"
echo 1 >/sys/class/misc/commitq/abort
for _ in $(seq 20); do rmmod commitq 2>/dev/null && break; sleep 1; done
[ "$stuck" -ge 2 ] && [ -n "$report" ]
