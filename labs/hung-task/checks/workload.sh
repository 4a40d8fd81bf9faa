#!/bin/bash
# Runs the original nightly job (/opt/lab/commitq/commitq-load) against the
# loaded module and passes when it finishes. It refuses to run it against the
# shipped build, which would leave more stuck tasks behind. The job's output
# goes to a file: a task stuck in the kernel would otherwise keep this check's
# output open forever.
shipped=${KDLABS_RECORD_commitq_srcversion:-}   # kept by the runner (module-lab.sh)
[ -n "$shipped" ] || { say "the runner has no record of the shipped commitq build; reset the lab" "러너에 배포된 commitq 빌드의 기록이 없습니다; 실습을 초기화하십시오" >&2; exit 1; }
if [ ! -r /sys/module/commitq/srcversion ]; then say "the commitq module is not loaded (insmod /root/commitq/commitq.ko)" "commitq 모듈이 적재되지 않았습니다 (insmod /root/commitq/commitq.ko)"; exit 1; fi
if [ "$(cat /sys/module/commitq/srcversion)" = "$shipped" ]; then
  say "not running the job: the loaded module is the shipped build, and its tasks would hang again" "작업을 실행하지 않습니다: 적재된 모듈은 배포된 빌드이며, 그 태스크들이 다시 멈출 것입니다"
  exit 1
fi
if grep -q offline /dev/commitq; then
  say "the loaded commitq is offline (aborted): rmmod commitq && insmod /root/commitq/commitq.ko" "적재된 commitq가 offline 상태입니다 (중단됨): rmmod commitq && insmod /root/commitq/commitq.ko"
  exit 1
fi
out=/var/log/lab/commitq-load.check.log
/opt/lab/commitq/commitq-load >"$out" 2>&1 </dev/null
rc=$?
if [ $rc -ne 0 ] || ! grep -q '^done:' "$out"; then
  say "commitq-load did not finish (exit $rc): $(tail -n 2 "$out" | tr '\n' ' ')" "commitq-load가 끝나지 않았습니다 (종료 코드 $rc): $(tail -n 2 "$out" | tr '\n' ' ')"
  exit 1
fi
say "commitq-load finished: $(tail -n 1 "$out")" "commitq-load가 끝났습니다: $(tail -n 1 "$out")"
