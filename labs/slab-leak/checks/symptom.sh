#!/bin/bash
# Self-test only. The fault: every cache hit leaves a kvc_req behind in
# kmalloc-192. With the shipped module loaded (setup loads it), 4000 lookups
# from the pristine client must grow the cache by at least half their hits.
objs() { awk '$1 == "kmalloc-192" { print $2 }' /proc/slabinfo; }
before=$(objs)
out=$(/var/lib/kdlabs/kvc-load -n 4000 2>&1) || { say "kvc-load failed: $out" "kvc-load가 실패했습니다: $out"; exit 1; }
after=$(objs)
hits=$(sed -n 's/.* hits \([0-9]*\).*/\1/p' <<<"$out")
growth=$((after - before))
sunreclaim=$(awk '/^SUnreclaim/ { print $2, $3 }' /proc/meminfo)
say "kmalloc-192 grew by $growth objects over 4000 lookups ($out); SUnreclaim now $sunreclaim" "조회 4000번 동안 kmalloc-192가 객체 $growth개만큼 늘었습니다 ($out); 현재 SUnreclaim $sunreclaim"
[ "${hits:-0}" -ge 1000 ] && [ "$growth" -ge $((hits / 2)) ]
