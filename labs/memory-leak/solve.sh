#!/bin/bash
# The fix: give the cache that lost its limit a bound again (the peak-sale
# override set it to 0 = never evict), then restart catalogd.
set -eu
sed -i -E 's/^([a-z_]+\.max_entries)[[:space:]]*=[[:space:]]*0[[:space:]]*$/\1 = 1000/' /etc/catalogd.d/*.conf
catalogctl restart
