#!/bin/bash
# Runs once, before the lab's VM state is saved (at `labs build`; or after a cold
# boot): puts the faulty driver's source in /root/faulty and builds it as shipped
# (with debug info), and records the shipped build's srcversion so the checks can
# tell it from a rebuilt, fixed module. Every session starts with it built.
set -euo pipefail
rm -rf /root/faulty
cp -a /opt/lab/faulty /root/faulty
mkdir -p /var/lib/kdlabs /var/log/lab
if ! make -C /root/faulty >/var/log/lab/faulty-build.log 2>&1; then
  echo "building the faulty module failed:" >&2
  tail -n 20 /var/log/lab/faulty-build.log >&2
  exit 1
fi
modinfo -F srcversion /root/faulty/faulty.ko >/var/lib/kdlabs/faulty.srcversion
cp /root/faulty/faulty.ko /var/lib/kdlabs/faulty-shipped.ko
