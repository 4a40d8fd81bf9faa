#!/bin/bash
# Passes when kmalloc-192 (the cache struct kvc_req, 176 bytes, comes from)
# stays flat under the workload: with the kvc-load service running, the
# pristine client sends 4000 lookups and the cache's active objects, read from
# /proc/slabinfo before and after, may grow by less than 400. The shipped
# module leaks one object per hit (about 3700 here). The lookups must still
# hit: a "fix" that breaks the fast path does not pass.
shipped=${KDLABS_RECORD_kvcache_srcversion:?the runner has no record of the shipped kvcache build; reset the lab}   # kept by the runner (module-lab.sh)
if [ ! -r /sys/module/kvcache/srcversion ]; then echo "the kvcache module is not loaded (insmod /root/kvcache/kvcache.ko)"; exit 1; fi
if [ "$(cat /sys/module/kvcache/srcversion)" = "$shipped" ]; then
  echo "the loaded kvcache module is the shipped build: it leaks on every hit (fix, make, reload first)"
  exit 1
fi
if ! systemctl is-active --quiet kvc-load; then
  echo "the kvc-load service is not running: systemctl start kvc-load (the check measures under its load)"
  exit 1
fi
objs() { awk '$1 == "kmalloc-192" { print $2 }' /proc/slabinfo; }
before=$(objs)
if ! out=$(/var/lib/kdlabs/kvc-load -n 4000 2>&1); then
  echo "kvc-load failed against the loaded module: $out"
  exit 1
fi
after=$(objs)
hits=$(sed -n 's/.* hits \([0-9]*\).*/\1/p' <<<"$out")
growth=$((after - before))
if [ "${hits:-0}" -lt 3000 ]; then
  echo "only ${hits:-0} of 4000 lookups hit the cache ($out): the fix must keep the cache working"
  exit 1
fi
if [ "$growth" -ge 400 ]; then
  echo "kmalloc-192 grew by $growth objects over 4000 lookups ($hits hits): still leaking (need < 400)"
  exit 1
fi
echo "kmalloc-192 changed by $growth objects over 4000 lookups ($hits hits) under the service's load: flat (need < 400)"
