#!/bin/bash
# Measures the service for 30 s under its normal traffic: its own open-loop probe sends
# 20 lookups a second and times every one. Passes when p99 < 500 ms, the JVM has done no
# full (stop-the-world, whole-heap) collection since it started — counted by the JVM
# itself (jstat) and in its GC log — it has been up for at least 60 s, and upstream
# orders are still being imported.
WINDOW=30
MAX_P99_MS=500
MIN_UPTIME=60
MIN_IMPORTS_PER_S=1000

pid=$(cat /run/orders/orders.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
  say "the orders service is not running. Start it with: orderctl start" "orders 서비스가 실행 중이 아닙니다. 다음으로 시작하십시오: orderctl start"
  exit 1
fi
http() { python3 -c 'import http.client,sys; c=http.client.HTTPConnection("127.0.0.1",8080,timeout=60); c.request("GET",sys.argv[1]); r=c.getresponse(); print(r.read().decode().strip())' "$1" 2>/dev/null; }
stats_value() { http /stats | awk -v k="$1" '$1 == k { print $2 }'; }
full_gcs() {  # the JVM's own count of full collections (jstat's FGC column)
  timeout 30 jstat -gc "$pid" < /dev/null 2>/dev/null | awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "FGC") c = i } NR == 2 && c { print $c }'
}
gclog=$(tr '\0' '\n' < "/proc/$pid/cmdline" | sed -n 's/^-Xlog:.*file=\([^:,]*\).*/\1/p' | head -n 1)
case "$gclog" in ''|/*) ;; *) gclog="/proc/$pid/cwd/$gclog" ;; esac   # a relative path is relative to the JVM's directory
log_fulls() { if [ -n "$gclog" ] && [ -f "$gclog" ]; then grep -c 'Pause Full.*[0-9]ms$' "$gclog"; else echo 0; fi; }

up=$(proc-age "$pid")
if [ "$up" -lt $(( MIN_UPTIME - WINDOW )) ]; then
  sleep $(( MIN_UPTIME - WINDOW - up ))   # a service that just restarted is still warming up
fi
[ "$(http /health)" = ok ] || { say "the orders service does not answer /health with ok yet (orderctl status)" "orders 서비스가 아직 /health에 ok로 응답하지 않습니다 (orderctl status)"; exit 1; }
imported0=$(stats_value imported)
[ -n "$imported0" ] || { say "could not read /stats from the service" "서비스에서 /stats를 읽지 못했습니다"; exit 1; }

read -r n errors p50 p99 max < <(python3 - "$WINDOW" <<'PY'
import http.client, queue, random, sys, threading, time
window, rate = float(sys.argv[1]), 20
jobs, results, lock = queue.Queue(), [], threading.Lock()
def latest():
    c = http.client.HTTPConnection("127.0.0.1", 8080, timeout=60)
    c.request("GET", "/orders/latest")
    return int(c.getresponse().read())
top = latest()
def worker():
    conn = None
    while True:
        t = jobs.get()
        if t is None:
            return
        time.sleep(max(0.0, t - time.time()))
        try:
            conn = conn or http.client.HTTPConnection("127.0.0.1", 8080, timeout=60)
            conn.request("GET", f"/orders/{max(1, top - random.randrange(40000))}")
            r = conn.getresponse(); r.read(); ok = r.status == 200
        except (OSError, http.client.HTTPException):
            ok, conn = False, None
        with lock:
            results.append(((time.time() - t) * 1000, ok))
threads = [threading.Thread(target=worker) for _ in range(64)]
for th in threads: th.start()
start = time.time() + 0.2
for i in range(int(window * rate)):
    jobs.put(start + i / rate)
for _ in threads: jobs.put(None)
for th in threads: th.join()
lat = sorted(r[0] for r in results)
n = len(lat)
print(n, sum(1 for r in results if not r[1]), f"{lat[n // 2]:.1f}", f"{lat[min(n - 1, int(n * 0.99))]:.1f}", f"{lat[-1]:.1f}")
PY
)
imported1=$(stats_value imported)
fgc=$(full_gcs); lfull=$(log_fulls)
up=$(proc-age "$pid")
rate=$(( (imported1 - imported0) / WINDOW ))
measured=$(say "over ${WINDOW} s: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms ($n lookups, $errors failed)" "${WINDOW} s 동안: p50 ${p50} ms, p99 ${p99} ms, 최대 ${max} ms (조회 $n건, 실패 $errors건)")

if [ -z "$n" ] || [ -z "$fgc" ] || [ -z "$imported1" ]; then
  say "the measurement failed (probe: ${n:-no result}; jstat -gc $pid: ${fgc:-no result}; /stats: ${imported1:-no answer}). Is the service running? (orderctl status)" "측정에 실패했습니다 (프로브: ${n:-결과 없음}; jstat -gc $pid: ${fgc:-결과 없음}; /stats: ${imported1:-응답 없음}). 서비스가 실행 중입니까? (orderctl status)"
  exit 1
fi
[ "$fgc" = - ] && fgc=0   # ZGC has no full-collection counter: it never stops the world for a whole-heap collection
if [ "$rate" -lt "$MIN_IMPORTS_PER_S" ]; then
  say "$measured; but only $rate orders/s were imported (upstream sends 8000/s): is orders-import running? (orderctl status)" "$measured; 하지만 가져온 주문은 $rate orders/s뿐입니다 (업스트림은 8000/s를 보냅니다): orders-import가 실행 중입니까? (orderctl status)"
  exit 1
fi
if [ "$fgc" -gt 0 ] || [ "$lfull" -gt 0 ]; then
  say "$measured; the JVM has done $fgc full collection(s) in its $up s (GC log: $lfull 'Pause Full' lines). Need none." "$measured; JVM이 실행된 $up s 동안 full 컬렉션을 $fgc번 했습니다 (GC 로그: 'Pause Full' 줄 $lfull개). 한 번도 없어야 합니다."
  exit 1
fi
if [ "$errors" -gt $(( n / 100 )) ]; then say "$measured: too many failed lookups" "$measured: 실패한 조회가 너무 많습니다"; exit 1; fi
if awk -v p="$p99" -v m="$MAX_P99_MS" 'BEGIN { exit !(p >= m) }'; then
  say "$measured (need p99 < ${MAX_P99_MS} ms); no full collection in $up s." "$measured (기준: p99 < ${MAX_P99_MS} ms); $up s 동안 full 컬렉션은 없었습니다."
  exit 1
fi
say "$measured (need p99 < ${MAX_P99_MS} ms); no full collection in the JVM's $up s; $rate orders/s imported." "$measured (기준: p99 < ${MAX_P99_MS} ms); JVM이 실행된 $up s 동안 full 컬렉션이 없었습니다; 주문을 $rate orders/s로 가져왔습니다."
