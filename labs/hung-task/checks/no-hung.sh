#!/bin/bash
# Passes when the fixed module is loaded and has committed a whole job, no task
# is stuck in it (no D-state task with a commitq frame in its kernel stack), and
# the hung-task detector, still armed, has reported nothing since the fixed
# module was loaded (its "ready" line is the last one in the kernel log).
shipped=${KDLABS_RECORD_commitq_srcversion:?the runner has no record of the shipped commitq build; reset the lab}   # kept by the runner (module-lab.sh)
if [ ! -r /sys/module/commitq/srcversion ] || [ "$(cat /sys/module/commitq/srcversion)" = "$shipped" ]; then
  echo "the fixed commitq module is not loaded yet"
  exit 1
fi
timeout=$(cat /proc/sys/kernel/hung_task_timeout_secs)
if [ "$timeout" -eq 0 ]; then
  echo "the hung-task detector is off (hung_task_timeout_secs = 0): silencing it hides hangs, it does not fix them; sysctl -w kernel.hung_task_timeout_secs=10"
  exit 1
fi
stuck=()
for f in $(grep -l '\[commitq\]' /proc/[0-9]*/task/[0-9]*/stack 2>/dev/null); do
  d=${f%/stack}
  [ "$(sed -n 's/.*) \(.\).*/\1/p' "$d/stat" 2>/dev/null)" = D ] && stuck+=("${d##*/}:$(cat "$d/comm" 2>/dev/null)")
done
if [ ${#stuck[@]} -gt 0 ]; then
  echo "${#stuck[@]} tasks are in D state in the commitq driver: ${stuck[*]}"
  exit 1
fi
report=$(dmesg | awk '/commitq: \/dev\/commitq ready/ { hit = "" } /blocked for more than/ { hit = $0 } END { print hit }')
if [ -n "$report" ]; then
  echo "the kernel reported a hung task after the fixed module was loaded: $report"
  exit 1
fi
committed=$(sed -n 's/.*committed \([0-9]*\).*/\1/p' /dev/commitq)
if [ "${committed:-0}" -lt 500 ]; then
  echo "the fixed module has committed ${committed:-0} records; run commitq-load against it (it appends 601)"
  exit 1
fi
echo "no task stuck in commitq, no hung-task report since the fixed module was loaded (detector armed, timeout ${timeout} s); it committed $committed records"
