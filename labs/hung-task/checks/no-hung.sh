#!/bin/bash
# Passes when the fixed module is loaded and has committed a whole job, no task
# is stuck in it (no D-state task with a commitq frame in its kernel stack), and
# the hung-task detector, still armed, has reported nothing since the fixed
# module was loaded (its "ready" line is the last one in the kernel log).
shipped=${KDLABS_RECORD_commitq_srcversion:-}   # kept by the runner (module-lab.sh)
[ -n "$shipped" ] || { say "the runner has no record of the shipped commitq build; reset the lab" "러너에 배포된 commitq 빌드의 기록이 없습니다; 실습을 초기화하십시오" >&2; exit 1; }
if [ ! -r /sys/module/commitq/srcversion ] || [ "$(cat /sys/module/commitq/srcversion)" = "$shipped" ]; then
  say "the fixed commitq module is not loaded yet" "고친 commitq 모듈이 아직 적재되지 않았습니다"
  exit 1
fi
timeout=$(cat /proc/sys/kernel/hung_task_timeout_secs)
if [ "$timeout" -eq 0 ]; then
  say "the hung-task detector is off (hung_task_timeout_secs = 0): silencing it hides hangs, it does not fix them; sysctl -w kernel.hung_task_timeout_secs=10" "hung-task 탐지기가 꺼져 있습니다 (hung_task_timeout_secs = 0): 탐지기를 끄면 멈춤이 가려질 뿐 고쳐지지 않습니다; sysctl -w kernel.hung_task_timeout_secs=10"
  exit 1
fi
stuck=()
for f in $(grep -l '\[commitq\]' /proc/[0-9]*/task/[0-9]*/stack 2>/dev/null); do
  d=${f%/stack}
  [ "$(sed -n 's/.*) \(.\).*/\1/p' "$d/stat" 2>/dev/null)" = D ] && stuck+=("${d##*/}:$(cat "$d/comm" 2>/dev/null)")
done
if [ ${#stuck[@]} -gt 0 ]; then
  say "${#stuck[@]} tasks are in D state in the commitq driver: ${stuck[*]}" "commitq 드라이버에서 D 상태인 태스크가 ${#stuck[@]}개 있습니다: ${stuck[*]}"
  exit 1
fi
report=$(dmesg | awk '/commitq: \/dev\/commitq ready/ { hit = "" } /blocked for more than/ { hit = $0 } END { print hit }')
if [ -n "$report" ]; then
  say "the kernel reported a hung task after the fixed module was loaded: $report" "고친 모듈을 적재한 뒤 커널이 hung task를 보고했습니다: $report"
  exit 1
fi
committed=$(sed -n 's/.*committed \([0-9]*\).*/\1/p' /dev/commitq)
if [ "${committed:-0}" -lt 500 ]; then
  say "the fixed module has committed ${committed:-0} records; run commitq-load against it (it appends 601)" "고친 모듈이 커밋한 레코드는 ${committed:-0}개입니다; 이 모듈에 commitq-load를 실행하십시오 (레코드 601개를 추가합니다)"
  exit 1
fi
say "no task stuck in commitq, no hung-task report since the fixed module was loaded (detector armed, timeout ${timeout} s); it committed $committed records" "commitq에서 멈춘 태스크 없음, 고친 모듈을 적재한 뒤 hung-task 보고 없음 (탐지기 켜짐, 타임아웃 ${timeout} s); 레코드 $committed개를 커밋했습니다"
