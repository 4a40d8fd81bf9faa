#!/bin/bash
# Passes when kmalloc-192 (the cache struct kvc_req, 176 bytes, comes from)
# stays flat under the workload: with the kvc-load service running, the
# pristine client sends 4000 lookups and the cache's active objects, read from
# /proc/slabinfo before and after, may grow by less than 400. The shipped
# module leaks one object per hit (about 3700 here). The lookups must still
# hit: a "fix" that breaks the fast path does not pass.
shipped=${KDLABS_RECORD_kvcache_srcversion:-}   # kept by the runner (module-lab.sh)
[ -n "$shipped" ] || { say "the runner has no record of the shipped kvcache build; reset the lab" "러너에 배포된 kvcache 빌드의 기록이 없습니다; 실습을 초기화하십시오" >&2; exit 1; }
if [ ! -r /sys/module/kvcache/srcversion ]; then say "the kvcache module is not loaded (insmod /root/kvcache/kvcache.ko)" "kvcache 모듈이 적재되지 않았습니다 (insmod /root/kvcache/kvcache.ko)"; exit 1; fi
if [ "$(cat /sys/module/kvcache/srcversion)" = "$shipped" ]; then
  say "the loaded kvcache module is the shipped build: it leaks on every hit (fix, make, reload first)" "적재된 kvcache 모듈은 배포된 빌드입니다: 적중할 때마다 누수가 생깁니다 (먼저 고치고, make하고, 다시 적재하십시오)"
  exit 1
fi
if ! systemctl is-active --quiet kvc-load; then
  say "the kvc-load service is not running: systemctl start kvc-load (the check measures under its load)" "kvc-load 서비스가 실행 중이 아닙니다: systemctl start kvc-load (이 검사는 그 부하 아래에서 측정합니다)"
  exit 1
fi
objs() { awk '$1 == "kmalloc-192" { print $2 }' /proc/slabinfo; }
before=$(objs)
if ! out=$(/var/lib/kdlabs/kvc-load -n 4000 2>&1); then
  say "kvc-load failed against the loaded module: $out" "적재된 모듈에 대해 kvc-load가 실패했습니다: $out"
  exit 1
fi
after=$(objs)
hits=$(sed -n 's/.* hits \([0-9]*\).*/\1/p' <<<"$out")
growth=$((after - before))
if [ "${hits:-0}" -lt 3000 ]; then
  say "only ${hits:-0} of 4000 lookups hit the cache ($out): the fix must keep the cache working" "조회 4000번 중 ${hits:-0}번만 캐시에 적중했습니다 ($out): 고친 뒤에도 캐시는 동작해야 합니다"
  exit 1
fi
if [ "$growth" -ge 400 ]; then
  say "kmalloc-192 grew by $growth objects over 4000 lookups ($hits hits): still leaking (need < 400)" "조회 4000번 동안 kmalloc-192가 객체 $growth개만큼 늘었습니다 (적중 $hits번): 아직 누수가 있습니다 (기준: < 400)"
  exit 1
fi
say "kmalloc-192 changed by $growth objects over 4000 lookups ($hits hits) under the service's load: flat (need < 400)" "서비스 부하 아래 조회 4000번 동안 kmalloc-192는 객체 $growth개만큼 변했습니다 (적중 $hits번): 평평합니다 (기준: < 400)"
