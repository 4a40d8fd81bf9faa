#!/bin/bash
# Runs once, before the lab's VM state is saved (at `labs build`; or after a
# cold boot): puts the kvcache module's source in /root/kvcache and builds it as
# shipped (plus the kvc-load client); records the shipped build's srcversion so
# the checks can tell it from a rebuilt, fixed module; keeps a pristine kvc-load
# for the service and the checks. Every session starts with it built.
set -euo pipefail
source /usr/local/lib/kdlabs/module-lab.sh
kdlabs_build_shipped kvcache
echo "prepare: built in ${SECONDS} s" >>/var/log/lab/kvcache-build.log # TCG on a busy host: minutes
cp /root/kvcache/kvc-load /var/lib/kdlabs/kvc-load
