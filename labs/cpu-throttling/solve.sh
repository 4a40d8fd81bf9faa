#!/bin/bash
# The fix: one worker thread for a quota of 1.2 CPUs, then restart the service.
set -eu
sed -i 's/^workers *=.*/workers = 1/' /etc/quoted.conf
quotectl restart
sleep 1
