#!/bin/bash
# The fix: pin the table the profile showed rebuilt per record (this learner's
# table) to cached, then restart the service.
set -eu
table=${KDLABS_PARAM_TABLE:-checksum}
sed -i -E "/^${table}_table *=/d" /etc/ingestd.conf
echo "${table}_table = cached" >> /etc/ingestd.conf
ingestctl restart
sleep 1
