#!/bin/bash
# Starts quoted with this learner's burst size, and the shop's steady lookups, and
# waits until quoted reports.
set -eu
# How many jobs arrive per burst differs per learner (lab.yaml params.burst_jobs).
sed -i "s/^burst_jobs *=.*/burst_jobs = ${KDLABS_PARAM_BURST_JOBS:-20}/" /etc/quoted.conf
quotectl start
setsid storefront > /dev/null 2>&1 < /dev/null &
for _ in $(seq 1 60); do
  [ -s /run/quoted/stats ] && exit 0
  sleep 0.1
done
echo "quoted did not report within 6 s" >&2
exit 1
