#!/bin/bash
# The fix: batch records into 64 KiB writes, then restart the service.
set -eu
sed -i 's/^write_mode *=.*/write_mode = batched/' /etc/relayd.conf
relayctl restart
sleep 1
