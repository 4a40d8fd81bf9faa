#!/bin/bash
# The fix: shard the lock that is held across the backend call, then restart.
set -eu
lock="${KDLABS_PARAM_LOCK}_lock"
sed -i "s/^${lock} *=.*/${lock} = sharded/" /etc/tallyd.conf
tallyctl restart
sleep 2
