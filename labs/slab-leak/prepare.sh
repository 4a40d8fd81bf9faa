#!/bin/bash
# Runs once, before the lab's VM state is saved (at `labs build`; or after a
# cold boot): puts the kvcache module's source in /root/kvcache and builds it as
# shipped (plus the kvc-load client); records the shipped build's srcversion so
# the checks can tell it from a rebuilt, fixed module; keeps a pristine kvc-load
# for the service and the checks. Every session starts with it built.
set -euo pipefail
rm -rf /root/kvcache
cp -a /opt/lab/kvcache /root/kvcache
mkdir -p /var/lib/kdlabs /var/log/lab
if ! make -C /root/kvcache >/var/log/lab/kvcache-build.log 2>&1; then
  echo "building the kvcache module failed:" >&2
  tail -n 20 /var/log/lab/kvcache-build.log >&2
  exit 1
fi
echo "prepare: built in ${SECONDS} s" >>/var/log/lab/kvcache-build.log # TCG on a busy host: minutes
modinfo -F srcversion /root/kvcache/kvcache.ko >/var/lib/kdlabs/kvcache.srcversion
cp /root/kvcache/kvcache.ko /var/lib/kdlabs/kvcache-shipped.ko
cp /root/kvcache/kvc-load /var/lib/kdlabs/kvc-load
