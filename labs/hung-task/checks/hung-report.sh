#!/bin/bash
# Passes when the kernel's hung-task detector has reported a task stuck in the
# commitq driver: a "blocked for more than N seconds" report in this boot's
# kernel log whose stack has a [commitq] frame.
found=$(dmesg | awk '
  /blocked for more than/ { task = $0; sub(/.*INFO: /, "", task); inreport = 1; next }
  inreport && /\[commitq\]/ && !/ \? / { sub(/^\[[ 0-9.]*\] */, ""); print task "\t" $0; exit }
  inreport && /^\[[ 0-9.]*\] *(INFO|sysrq|commitq):/ { inreport = 0 }')
if [ -z "$found" ]; then
  if dmesg | grep -q 'blocked for more than'; then
    say "the kernel has reported hung tasks, but none stuck in the commitq driver" "커널이 hung task를 보고했지만, commitq 드라이버에서 멈춘 태스크는 없습니다"
  else
    say "no hung-task report in the kernel log yet: load commitq, run commitq-load, and give the detector $(cat /proc/sys/kernel/hung_task_timeout_secs)–$(( 2 * $(cat /proc/sys/kernel/hung_task_timeout_secs) )) s (step 1)" "커널 로그에 아직 hung-task 보고가 없습니다: commitq를 적재하고 commitq-load를 실행한 뒤, 탐지기에 $(cat /proc/sys/kernel/hung_task_timeout_secs)–$(( 2 * $(cat /proc/sys/kernel/hung_task_timeout_secs) )) s를 주십시오 (1단계)"
  fi
  exit 1
fi
task=${found%%$'\t'*}; frame=${found#*$'\t'}   # awk's "task<TAB>frame"
say "the kernel reported: $task — in $frame" "커널이 보고했습니다: $task — 위치: $frame"
