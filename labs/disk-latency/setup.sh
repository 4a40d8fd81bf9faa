#!/bin/bash
# Each session: the data disk is formatted, mounted and filled, and scand built
# (prepare.sh ran before the VM state was saved). Starts scand as shipped: 8
# workers reading 4 KiB records with O_DIRECT in shuffled order.
set -euo pipefail
mountpoint -q /data || { echo "/data is not mounted: the lab's prepare.sh did not run" >&2; exit 1; }
systemctl start scand
