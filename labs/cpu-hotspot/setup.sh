#!/bin/bash
# Starts ingestd with one of its lookup tables rebuilt for every record and
# waits until it reports. Which table differs per learner (lab.yaml
# params.table); ingestd gets it sealed in its release profile, a seed only its
# binary maps to a table (kdlabs-sealed.h). /etc/ingestd.conf is the same for
# everyone and pins no table.
set -eu
mkdir -p /var/lib/ingestd
printf '%s\n' "${KDLABS_PARAM_TABLE:-checksum}" | ingestd --seal > /var/lib/ingestd/profile
ingestctl start
for _ in $(seq 1 100); do
  [ -s /run/ingestd/stats ] && exit 0
  sleep 0.05
done
echo "ingestd did not report within 5 s" >&2
exit 1
