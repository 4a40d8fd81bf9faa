#!/bin/bash
# Starts the faulty relay and waits until it is really sending.
set -eu
# Which system call the storm uses differs per learner (lab.yaml params.syscall);
# relayd gets it sealed in a seed only its binary can read (kdlabs-sealed.h).
mkdir -p /var/lib/relayd
printf '%s\n' "${KDLABS_PARAM_SYSCALL:-write}" | relayd --seal > /var/lib/relayd/profile
relayctl start
for _ in $(seq 1 100); do
  [ -s /run/relayd/producer.stats ] && exit 0
  sleep 0.05
done
echo "relayd did not report within 5 s" >&2
exit 1
