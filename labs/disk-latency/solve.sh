#!/bin/bash
# The fix: read through the page cache, in order, so the kernel's readahead
# asks the disk for large requests ahead of scand; then restart scand.
set -euo pipefail
sed -i -E 's/^(io[[:space:]]*=).*/\1 buffered/; s/^(order[[:space:]]*=).*/\1 sequential/' /etc/scand.conf
grep -q '^io = buffered' /etc/scand.conf && grep -q '^order = sequential' /etc/scand.conf
systemctl restart scand
sleep 8 # a few of scand's 2 s reports with the new settings
tail -n 3 /var/log/lab/scand.log
