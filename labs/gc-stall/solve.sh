#!/bin/bash
# The fix, in the service's own configuration: a low-pause collector (G1 with a pause
# target) and a fixed, pre-touched heap that leaves room in the container; then
# restart the service and let it settle.
set -eu
cat > /etc/orders/jvm.options <<'OPTS'
# JVM options for the orders service, one per line; '#' starts a comment.
# orderctl reads this file when it starts the service: after editing it, run
#   orderctl restart
#
# Collector: G1 collects the old generation concurrently and in small pieces,
# aiming at the pause target below, instead of stopping the world for a full
# mark-compact of the whole heap (the JVM's default here would be Serial).
-XX:+UseG1GC
-XX:MaxGCPauseMillis=200
# Heap: fixed size (initial = maximum) that leaves a third of the container's
# 1.5 GiB for the JVM's own memory, the page cache and tools; committed and
# touched at start-up, so no collection ever has to fault memory in.
-Xms1g
-Xmx1g
-XX:+AlwaysPreTouch
# GC log: every collection, with its cause, duration and CPU times.
-Xlog:gc*:file=/var/log/orders/gc.log:time,uptime,level,tags
OPTS
orderctl restart
# Let the restarted service go through its first concurrent cycle before anyone measures it.
sleep 20
