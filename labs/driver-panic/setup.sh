#!/bin/bash
# Puts the faulty driver's source in /root/faulty and builds it as shipped
# (with debug info); records the shipped build's srcversion so the checks can
# tell it from a rebuilt, fixed module. Nothing is loaded: the learner does that.
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
sysctl -q kernel.panic_on_oops | grep -q '= 1' || { echo "kernel.panic_on_oops is not 1 (is oops=panic on the kernel command line?)" >&2; exit 1; }
sync # the learner is about to crash this kernel: put the build on disk first
