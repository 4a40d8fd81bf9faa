#!/bin/bash
# Starts shopd and its traffic and returns once shop-load has timed a second of
# requests. Which of the three ports the carts endpoint gets differs per learner
# (lab.yaml params.port): shopd gets it sealed in its release profile, a seed only
# its binary maps to a port (kdlabs-sealed.h). /etc/shopd.conf is the same for everyone.
set -eu
mkdir -p /var/lib/shopd
printf '%s\n' "${KDLABS_PARAM_PORT:-7103}" | shopd --seal > /var/lib/shopd/profile
shopctl start
shopctl traffic
for _ in $(seq 1 100); do
  [ -s /run/shop/latency ] && exit 0
  sleep 0.1
done
echo "shop-load wrote no report within 10 s; see /var/log/lab/shop-load.log" >&2
exit 1
