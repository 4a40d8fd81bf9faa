#!/bin/bash
# Passes when the running orders JVM uses a low-pause collector (G1, ZGC or Shenandoah)
# and a fixed-size heap (initial = maximum) of at most 70% of the container's memory
# limit. Read from the JVM itself (jcmd VM.flags), not from the options file.
pid=$(cat /run/orders/orders.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
  say "the orders service is not running. Start it with: orderctl start (its log: /var/log/orders/service.log)" "orders 서비스가 실행 중이 아닙니다. 다음으로 시작하십시오: orderctl start (로그: /var/log/orders/service.log)"
  exit 1
fi
if ! flags=$(timeout 30 jcmd "$pid" VM.flags -all < /dev/null 2>&1); then
  say "could not read the JVM's flags with jcmd $pid VM.flags: $(echo "$flags" | tail -n 1)" "jcmd $pid VM.flags로 JVM의 플래그를 읽지 못했습니다: $(echo "$flags" | tail -n 1)"
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
summary=$(say "collector $collector; heap initial $(mib "$initial") MiB, max $(mib "$max") MiB; memory cgroup limit $(mib "$limit") MiB" "컬렉터 $collector; 힙 초기 $(mib "$initial") MiB, 최대 $(mib "$max") MiB; 메모리 cgroup 한도 $(mib "$limit") MiB")

case "$collector" in
  G1|Z|Shenandoah) ;;
  *) say "$summary. The JVM still uses the $collector collector, which stops the application for every old-generation collection; choose a low-pause collector in /etc/orders/jvm.options." "$summary. JVM이 아직 $collector 컬렉터를 씁니다. 이 컬렉터는 old 영역을 수집할 때마다 애플리케이션을 멈춥니다; /etc/orders/jvm.options에서 일시 정지가 짧은 컬렉터를 고르십시오."
     exit 1 ;;
esac
if [ "$limit" -gt 0 ] && [ "$max" -gt $(( limit * 7 / 10 )) ]; then
  say "$summary. The heap may grow to more than 70% of the container's memory, leaving too little for the JVM's own memory, the page cache and your tools." "$summary. 힙이 컨테이너 메모리의 70%를 넘게 커질 수 있어, JVM 자신의 메모리, 페이지 캐시, 여러분의 도구에 남는 몫이 너무 적습니다."
  exit 1
fi
if [ "$initial" != "$max" ]; then
  say "$summary. The heap still grows and shrinks: set the initial size equal to the maximum (-Xms = -Xmx), so it is committed once and never handed back and faulted in again." "$summary. 힙이 아직 커졌다 줄었다 합니다: 초기 크기를 최대 크기와 같게 설정하여 (-Xms = -Xmx), 한 번 커밋된 뒤 반환되었다가 다시 폴트로 들어오는 일이 없게 하십시오."
  exit 1
fi
say "$summary: a low-pause collector and a fixed heap that fits the container." "$summary: 일시 정지가 짧은 컬렉터와 컨테이너에 들어맞는 고정 크기 힙입니다."
