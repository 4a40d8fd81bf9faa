#!/bin/bash
# The fix: give the cache that leaks a bound again in the peak-sale override,
# then restart catalogd. Which cache leaks is this learner's parameter (the
# self-test hands it to the solution; a learner finds it with step 3's tracing).
set -eu
case "${KDLABS_PARAM_LEAK:?the solution needs the leak parameter}" in
  thumbnail_cache_put) key=thumbnail_cache ;;
  audit_log_append) key=audit_log ;;
  *) echo "unknown leak parameter: $KDLABS_PARAM_LEAK" >&2; exit 1 ;;
esac
sed -i -E "s/^$key\.max_entries[[:space:]]*=[[:space:]]*0[[:space:]]*\$/$key.max_entries = 1000/" /etc/catalogd.d/50-peak-sale.conf
catalogctl restart
