#!/bin/bash
# Measures relayd for 5 s from the kernel's own counters (/proc/<pid>/io):
# the write-call rate must be at most a tenth of the storm's (500k/s → ≤ 50k/s)
# and throughput at least 95% of the upstream rate (500k records × 64 B).
REQUIRED_BYTES_PER_S=$((500000 * 64 * 95 / 100))
MAX_CALLS_PER_S=50000
WINDOW=5
pid=$(cat /run/relayd.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then say "relayd is not running (relayctl start)" "relayd가 실행 중이 아닙니다 (relayctl start)"; exit 1; fi
if grep -Eq '^\s*rate\s*=\s*([0-9]+)' /etc/relayd.conf && [ "$(sed -nE 's/^\s*rate\s*=\s*([0-9]+).*/\1/p' /etc/relayd.conf)" != 500000 ]; then
  say "rate in /etc/relayd.conf is not 500000: upstream sends 500k records/s, dropping them is not a fix." "/etc/relayd.conf의 rate가 500000이 아닙니다: 업스트림은 500k records/s를 보내며, 그것을 버리는 것은 해결책이 아닙니다."
  exit 1
fi
sample() { awk '/^wchar/{w=$2} /^syscw/{c=$2} END{print w, c}' "/proc/$pid/io"; }
read -r w1 c1 < <(sample)
sleep "$WINDOW"
kill -0 "$pid" 2>/dev/null || { say "relayd exited during the measurement" "측정 중에 relayd가 종료되었습니다"; exit 1; }
read -r w2 c2 < <(sample)
calls=$(( (c2 - c1) / WINDOW )); bps=$(( (w2 - w1) / WINDOW ))
mbps=$(awk -v b="$bps" 'BEGIN{printf "%.1f", b/1e6}')
need=$(awk -v b="$REQUIRED_BYTES_PER_S" 'BEGIN{printf "%.1f", b/1e6}')
if [ "$calls" -gt "$MAX_CALLS_PER_S" ]; then
  say "write calls: $calls/s (need ≤ $MAX_CALLS_PER_S/s); throughput $mbps MB/s" "write 호출: $calls/s (기준: ≤ $MAX_CALLS_PER_S/s); 처리량 $mbps MB/s"
  exit 1
fi
if [ "$bps" -lt "$REQUIRED_BYTES_PER_S" ]; then
  say "throughput fell to $mbps MB/s (need ≥ $need MB/s); write calls $calls/s" "처리량이 $mbps MB/s로 떨어졌습니다 (기준: ≥ $need MB/s); write 호출 $calls/s"
  exit 1
fi
say "write calls: $calls/s (was ~500000/s), throughput $mbps MB/s (need ≥ $need MB/s)." "write 호출: $calls/s (이전 ~500000/s), 처리량 $mbps MB/s (기준: ≥ $need MB/s)."
