#!/bin/bash
# Starts shopd and its traffic and returns once shop-load has timed a second of
# requests. Which port the carts endpoint gets differs per learner (lab.yaml
# params.port); users and prices take the other two.
set -eu
carts=${KDLABS_PARAM_PORT:-7103}
others=$(printf '%s\n' 7101 7102 7103 | grep -vx "$carts" | tr '\n' ' ')
read -r users prices <<< "$others"
sed -i -e "s/^users_port = .*/users_port = $users/" -e "s/^prices_port = .*/prices_port = $prices/" \
  -e "s/^carts_port = .*/carts_port = $carts/" /etc/shopd.conf
shopctl start
shopctl traffic
for _ in $(seq 1 100); do
  [ -s /run/shop/latency ] && exit 0
  sleep 0.1
done
echo "shop-load wrote no report within 10 s; see /var/log/lab/shop-load.log" >&2
exit 1
