#!/bin/bash
# Passes when scand keeps up with its target (1000 records/s, as shipped) and
# the kernel sees the data disk serve large reads: the fix made each request
# carry many records, instead of lowering the target.
. /opt/lab/measure.sh
systemctl is-active -q scand || { echo "scand is not running (systemctl start scand)"; exit 1; }
grep -Eq '^[[:space:]]*rate[[:space:]]*=[[:space:]]*1000([[:space:]]|#|$)' /etc/scand.conf || { echo "keep rate = 1000 in /etc/scand.conf: the target is not what is wrong"; exit 1; }
measure 8 || exit 1
echo "$summary"
[ "$rec_s" -ge 850 ] || { echo "scand verifies $rec_s records/s; the target is 1000 (restarted it after the change? systemctl restart scand)"; exit 1; }
[ "$rq_kb" -ge 32 ] || { echo "the data disk still serves small reads ($rq_kb KiB each)"; exit 1; }
