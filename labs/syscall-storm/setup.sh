#!/bin/bash
# Starts the faulty relay and waits until it is really sending.
set -eu
relayctl start
for _ in $(seq 1 100); do
  [ -s /run/relayd/producer.stats ] && exit 0
  sleep 0.05
done
echo "relayd did not report within 5 s" >&2
exit 1
