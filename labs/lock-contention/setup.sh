#!/bin/bash
# Starts tallyd with its one slow stage and waits until it reports throughput.
set -eu
# Which stage calls the backend while holding its lock differs per learner
# (lab.yaml params.lock): so does the name of the contended mutex.
mkdir -p /var/lib/tallyd
# tallyd gets it sealed in a seed only its binary can read (kdlabs-sealed.h).
printf '%s\n' "${KDLABS_PARAM_LOCK:-cache}" | tallyd --seal > /var/lib/tallyd/profile
tallyctl start
# The first stats line comes after one second; wait for the second, a full second's numbers.
for _ in $(seq 1 100); do
  [ "$(awk '/^requests_total/ { print $2 }' /run/tallyd/stats 2>/dev/null || echo 0)" -gt 0 ] && exit 0
  sleep 0.05
done
echo "tallyd did not report within 5 s" >&2
exit 1
