#!/bin/bash
# Starts catalogd with the peak-sale override and waits until it serves.
# The override (the same for everyone) turns eviction off for two caches; which
# of the two then leaks differs per learner (lab.yaml params.leak): catalogd's
# release profile, a seed only its binary maps to a choice (kdlabs-sealed.h),
# keys one of them by ever-new identities and the other by a few families.
set -eu
mkdir -p /var/lib/catalogd
printf '%s\n' "${KDLABS_PARAM_LEAK:-thumbnail_cache_put}" | catalogd --seal > /var/lib/catalogd/profile
cat > /etc/catalogd.d/50-peak-sale.conf <<'CONF'
# Peak-sale tuning (ticket OPS-2291): thumbnails and audit records were evicted
# while still needed, so eviction is off for both during the sale.
thumbnail_cache.max_entries = 0
audit_log.max_entries = 0
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
