#!/bin/bash
# The fix: the cache-hit fast path of kvc_write() returns without freeing the
# request kvc_req_new() allocated; leave through the common exit instead, where
# kfree(req) runs. Then rebuild, reload the module under the stopped service,
# and start the service again.
set -euo pipefail
cd /root/kvcache
perl -0pi -e 's/(\t\t\tkvc_stats\.hits\+\+;\n)\t\t\tmutex_unlock\(&kvc_lock\);\n\t\t\treturn len;\n/$1\t\t\tbreak;\n/' kvcache.c
grep -q -A1 'kvc_stats.hits++;' kvcache.c
grep -A1 'kvc_stats.hits++;' kvcache.c | grep -q 'break;'
make
systemctl stop kvc-load
if lsmod | grep -q '^kvcache '; then rmmod kvcache; fi
insmod kvcache.ko
systemctl start kvc-load
