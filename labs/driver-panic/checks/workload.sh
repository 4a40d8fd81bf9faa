#!/bin/bash
# Runs the original batch job (/opt/lab/faulty/faulty-load) against the loaded
# module and passes when it completes. It refuses to run it against the shipped
# build, which would panic the VM again.
shipped=${KDLABS_RECORD_faulty_srcversion:-}   # kept by the runner (module-lab.sh)
[ -n "$shipped" ] || { say "the runner has no record of the shipped faulty build; reset the lab" "러너에 배포된 faulty 빌드의 기록이 없습니다; 실습을 초기화하십시오" >&2; exit 1; }
if [ ! -r /sys/module/faulty/srcversion ]; then say "the faulty module is not loaded (insmod /root/faulty/faulty.ko)" "faulty 모듈이 적재되지 않았습니다 (insmod /root/faulty/faulty.ko)"; exit 1; fi
if [ "$(cat /sys/module/faulty/srcversion)" = "$shipped" ]; then
  say "not running the batch job: the loaded module is the shipped build, and it would panic the kernel again" "배치 작업을 실행하지 않습니다: 적재된 모듈은 배포된 빌드이며, 커널을 다시 패닉시킬 것입니다"
  exit 1
fi
out=$(/opt/lab/faulty/faulty-load 4 200 2>&1)
rc=$?
if [ $rc -ne 0 ] || ! grep -q '^done:' <<<"$out"; then
  say "faulty-load failed (exit $rc): $(tail -n 2 <<<"$out" | tr '\n' ' ')" "faulty-load가 실패했습니다 (종료 코드 $rc): $(tail -n 2 <<<"$out" | tr '\n' ' ')"
  exit 1
fi
say "faulty-load completed: $(tail -n 1 <<<"$out")" "faulty-load가 완료되었습니다: $(tail -n 1 <<<"$out")"
