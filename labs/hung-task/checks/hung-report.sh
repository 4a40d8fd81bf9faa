#!/bin/bash
# Passes when the kernel's hung-task detector has reported a task stuck in the
# commitq driver: a "blocked for more than N seconds" report in this boot's
# kernel log whose stack has a [commitq] frame.
found=$(dmesg | awk '
  /blocked for more than/ { task = $0; sub(/.*INFO: /, "", task); inreport = 1; next }
  inreport && /\[commitq\]/ && !/ \? / { sub(/^\[[ 0-9.]*\] */, ""); print task " — in " $0; exit }
  inreport && /^\[[ 0-9.]*\] *(INFO|sysrq|commitq):/ { inreport = 0 }')
if [ -z "$found" ]; then
  if dmesg | grep -q 'blocked for more than'; then
    echo "the kernel has reported hung tasks, but none stuck in the commitq driver"
  else
    echo "no hung-task report in the kernel log yet: load commitq, run commitq-load, and give the detector $(cat /proc/sys/kernel/hung_task_timeout_secs)–$(( 2 * $(cat /proc/sys/kernel/hung_task_timeout_secs) )) s (step 1)"
  fi
  exit 1
fi
echo "the kernel reported: $found"
