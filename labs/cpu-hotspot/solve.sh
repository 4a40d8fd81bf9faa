#!/bin/bash
# The fix: build every lookup table once, at start, then restart the service.
set -eu
sed -i -E 's/^(checksum_table|escape_table|route_table) *=.*/\1 = cached/' /etc/ingestd.conf
ingestctl restart
sleep 1
