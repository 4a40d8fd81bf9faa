#!/bin/bash
# Self-test only. The fault: every cache hit leaves a kvc_req behind in
# kmalloc-192. With the shipped module loaded (setup loads it), 4000 lookups
# from the pristine client must grow the cache by at least half their hits.
objs() { awk '$1 == "kmalloc-192" { print $2 }' /proc/slabinfo; }
before=$(objs)
out=$(/var/lib/kdlabs/kvc-load -n 4000 2>&1) || { echo "kvc-load failed: $out"; exit 1; }
after=$(objs)
hits=$(sed -n 's/.* hits \([0-9]*\).*/\1/p' <<<"$out")
growth=$((after - before))
echo "kmalloc-192 grew by $growth objects over 4000 lookups ($out); SUnreclaim now $(awk '/^SUnreclaim/ { print $2, $3 }' /proc/meminfo)"
[ "${hits:-0}" -ge 1000 ] && [ "$growth" -ge $((hits / 2)) ]
