#!/bin/bash
# Starts catalogd with this learner's faulty override and waits until it serves.
set -eu
# Which cache has lost its limit differs per learner (lab.yaml params.leak,
# the name of the function that fills it).
case "${KDLABS_PARAM_LEAK:-thumbnail_cache_put}" in
  session_cache_put) key=session_cache what="session cache" ;;
  thumbnail_cache_put) key=thumbnail_cache what="thumbnail cache" ;;
  audit_log_append) key=audit_log what="audit log" ;;
  *) echo "unknown leak parameter: $KDLABS_PARAM_LEAK" >&2; exit 1 ;;
esac
cat > /etc/catalogd.d/50-peak-sale.conf <<CONF
# Peak-sale tuning (ticket OPS-2291): the $what evicted entries that were
# still needed, so eviction is off for the sale.
$key.max_entries = 0
CONF
catalogctl start
pid=$(cat /run/catalogd.pid)
# Serving means reading requests: wait until the kernel has counted some.
for _ in $(seq 1 100); do
  [ "$(awk '/^syscr/ { print $2 }' "/proc/$pid/io" 2>/dev/null || echo 0)" -gt 50 ] && exit 0
  sleep 0.1
done
echo "catalogd has not served a request within 10 s; see /var/log/lab/catalogd.log" >&2
exit 1
