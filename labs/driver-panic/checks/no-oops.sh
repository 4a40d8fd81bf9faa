#!/bin/bash
# Passes when the fixed module is loaded, has handled a full batch job, and the
# kernel has not oopsed since boot: no "D" taint (set by any Oops) and no Oops
# or BUG line in the kernel log.
shipped=${KDLABS_RECORD_faulty_srcversion:-}   # kept by the runner (module-lab.sh)
[ -n "$shipped" ] || { say "the runner has no record of the shipped faulty build; reset the lab" "러너에 배포된 faulty 빌드의 기록이 없습니다; 실습을 초기화하십시오" >&2; exit 1; }
if [ ! -r /sys/module/faulty/srcversion ] || [ "$(cat /sys/module/faulty/srcversion)" = "$shipped" ]; then
  say "the fixed faulty module is not loaded yet" "고친 faulty 모듈이 아직 적재되지 않았습니다"
  exit 1
fi
tainted=$(cat /proc/sys/kernel/tainted)
if (( tainted & 128 )); then
  say "the kernel has oopsed since boot (taint flag D is set; see dmesg)" "부팅 후 커널에 Oops가 발생했습니다 (taint 플래그 D가 설정됨; dmesg를 보십시오)"
  exit 1
fi
oops=$(dmesg | grep -E 'Oops:|BUG: kernel|general protection fault' | head -n 1)
if [ -n "$oops" ]; then say "the kernel log has an Oops: $oops" "커널 로그에 Oops가 있습니다: $oops"; exit 1; fi
total=$(head -c 200 /dev/faulty | sed -n 's/.*total \([0-9]*\).*/\1/p')
if [ "${total:-0}" -lt 800 ]; then
  say "the fixed module has handled ${total:-0} records; run faulty-load against it (it sends 800)" "고친 모듈이 처리한 레코드는 ${total:-0}개입니다; 이 모듈에 faulty-load를 실행하십시오 (레코드 800개를 보냅니다)"
  exit 1
fi
say "no Oops since boot (taint D clear, clean kernel log); the fixed module handled $total records" "부팅 후 Oops 없음 (taint D 해제, 깨끗한 커널 로그); 고친 모듈이 레코드 $total개를 처리했습니다"
