#!/bin/bash
# Starts the faulty relay and waits until it is really sending.
set -eu
relayctl start
for _ in $(seq 1 50); do
  [ -s /run/relayd/producer.stats ] && exit 0
  sleep 0.1
done
echo "relayd did not report within 5 s" >&2
exit 1
