#!/bin/bash
# Passes when the running orders JVM uses a low-pause collector (G1, ZGC or Shenandoah)
# and a fixed-size heap (initial = maximum) of at most 70% of the container's memory
# limit. Read from the JVM itself (jcmd VM.flags), not from the options file.
pid=$(cat /run/orders/orders.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
  echo "the orders service is not running. Start it with: orderctl start (its log: /var/log/orders/service.log)"
  exit 1
fi
if ! flags=$(timeout 30 jcmd "$pid" VM.flags -all < /dev/null 2>&1); then
  echo "could not read the JVM's flags with jcmd $pid VM.flags: $(echo "$flags" | tail -n 1)"
  exit 1
fi
flag() { echo "$flags" | awk -v f="$1" '$2 == f && $3 == "=" { print $4; exit }'; }

# The memory cgroup limit: cgroup v2 (memory.max) or v1 (memory.limit_in_bytes).
limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null)
case "$limit" in ''|max) limit=0 ;; esac
mib() { echo $(( $1 / 1048576 )); }

collector=unknown
for gc in Serial Parallel G1 Z Shenandoah; do
  [ "$(flag "Use${gc}GC")" = true ] && collector=$gc
done
max=$(flag MaxHeapSize); initial=$(flag InitialHeapSize)
summary="collector $collector; heap initial $(mib "$initial") MiB, max $(mib "$max") MiB; memory cgroup limit $(mib "$limit") MiB"

case "$collector" in
  G1|Z|Shenandoah) ;;
  *) echo "$summary. The JVM still uses the $collector collector, which stops the application for every old-generation collection; choose a low-pause collector in /etc/orders/jvm.options."
     exit 1 ;;
esac
if [ "$limit" -gt 0 ] && [ "$max" -gt $(( limit * 7 / 10 )) ]; then
  echo "$summary. The heap may grow to more than 70% of the container's memory, leaving too little for the JVM's own memory, the page cache and your tools."
  exit 1
fi
if [ "$initial" != "$max" ]; then
  echo "$summary. The heap still grows and shrinks: set the initial size equal to the maximum (-Xms = -Xmx), so it is committed once and never handed back and faulted in again."
  exit 1
fi
echo "$summary: a low-pause collector and a fixed heap that fits the container."
