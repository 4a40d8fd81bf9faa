#!/bin/bash
# Runs once, before the lab's VM state is saved (at `labs build`; or after a
# cold boot): puts the commitq driver's source in /root/commitq and builds it as
# shipped (with debug info); records the shipped build's srcversion so the
# checks can tell it from a rebuilt, fixed module. Every session starts with it
# built; nothing is loaded: the learner does that.
set -euo pipefail
rm -rf /root/commitq
cp -a /opt/lab/commitq /root/commitq
mkdir -p /var/lib/kdlabs /var/log/lab
if ! make -C /root/commitq >/var/log/lab/commitq-build.log 2>&1; then
  echo "building the commitq module failed:" >&2
  tail -n 20 /var/log/lab/commitq-build.log >&2
  exit 1
fi
modinfo -F srcversion /root/commitq/commitq.ko >/var/lib/kdlabs/commitq.srcversion
