#!/bin/bash
# Measures the whole service for 5 s. The check's own client times one request every
# 5 ms on every port, and the carts port's p99 must be < 30 ms with no failures (the
# fault cannot get there: every held reply waits ≥ 40 ms for the delayed ACK; fixed,
# p99 is 1–10 ms, up to ~21 ms when the host runs 30+ busy tasks on two cores — the
# other ports, never broken, show the same host noise and are reported, not graded).
# And the kernel counts the write() calls of each shop-load thread
# (/proc/<pid>/task/<tid>/io syscw, one write per request): every endpoint must get
# ≥ 35 of its 50 requests a second through (with the fault, carts manages ~20/s).
MAX_P99_MS=30
MIN_LOAD_PER_S=35
carts=${KDLABS_PARAM_PORT:-7103}
SECS=5
pid=$(cat /run/shop/shopd.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then say "shopd is not running (shopctl start)" "shopd가 실행 중이 아닙니다 (shopctl start)"; exit 1; fi
load=$(cat /run/shop/shop-load.pid 2>/dev/null)
if [ -z "$load" ] || ! kill -0 "$load" 2>/dev/null; then say "shop-load is not running (shopctl traffic)" "shop-load가 실행 중이 아닙니다 (shopctl traffic)"; exit 1; fi
# probe SECONDS PORT... — the check's own client: one process and one new connection per
# port (no shared interpreter lock), one request every 5 ms on each, every reply timed. Prints per port: port requests p50 p99 max failed.
probe() {
  python3 - "$@" <<'PY'
import os, socket, struct, sys, time
secs, ports, gap = float(sys.argv[1]), [int(p) for p in sys.argv[2:]], 0.005
out = {}
def run(port):
    lat, failed = [], 0
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        def take(n):
            b = b""
            while len(b) < n:
                c = s.recv(n - len(b))
                if not c: raise OSError("closed")
                b += c
            return b
        start = time.monotonic(); i = 0
        while time.monotonic() < start + secs:
            time.sleep(max(0.0, start + i * gap - time.monotonic()))
            key = b"k%06d" % i; i += 1
            t0 = time.monotonic()
            s.sendall(struct.pack("!I", len(key)) + key)
            status, n = struct.unpack("!II", take(8))
            body = take(n)
            lat.append((time.monotonic() - t0) * 1000)
            failed += status != 200 or not body
    except OSError:
        failed += 1
    lat.sort()
    n = len(lat)
    out[port] = (n, lat[n // 2] if n else 0, lat[min(n - 1, n * 99 // 100)] if n else 0, lat[-1] if n else 0, failed)
kids = {}
for p in ports:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r); run(p); os.write(w, repr(out[p]).encode()); os._exit(0)
    os.close(w); kids[p] = (pid, r)
for p, (pid, r) in kids.items():
    data = b""
    while True:
        c = os.read(r, 4096)
        if not c: break
        data += c
    os.waitpid(pid, 0)
    out[p] = eval(data) if data else (0, 0, 0, 0, 1)
for p in ports:
    n, p50, p99, mx, failed = out[p]
    print(p, n, f"{p50:.1f}", f"{p99:.1f}", f"{mx:.1f}", failed)
PY
}
# write() calls so far of each shop-load thread, one "name count" line each.
thread_writes() {
  for t in /proc/"$load"/task/*; do
    name=$(cat "$t/comm" 2>/dev/null) && [ "${name#load-}" != "$name" ] && echo "${name#load-} $(awk '/^syscw/ { print $2 }' "$t/io")"
  done
}
w0=$(thread_writes); t0=$(date +%s%N)
result=$(probe "$SECS" 7101 7102 7103)
w1=$(thread_writes); t1=$(date +%s%N)
fail=0; lat=""; through=""
while read -r port n p50 p99 max failed; do
  [ "$port" = "$carts" ] && name=carts || name=""
  lat="$lat, :$port${name:+ ($name)} $p99 ms"
  if [ "${n:-0}" -eq 0 ] || [ "$failed" -gt 0 ]; then lat="$lat $(say "($failed of $n failed)" "(요청 $n개 중 $failed개 실패)")"; fail=1
  elif [ -n "$name" ] && awk -v p="$p99" -v m="$MAX_P99_MS" 'BEGIN { exit !(p >= m) }'; then lat="$lat $(say "(too slow)" "(너무 느림)")"; fail=1; fi
done <<< "$result"
rates=$(join <(sort <<< "$w0") <(sort <<< "$w1") | awk -v s="$(( (t1 - t0) / 1000000 ))" '{ printf "%s %d\n", $1, ($3 - $2) * 1000 / s }')
while read -r name rate; do
  [ -n "$name" ] || continue
  through="$through, $name $rate/s"
  [ "$rate" -ge "$MIN_LOAD_PER_S" ] || { through="$through $(say "(too few)" "(너무 적음)")"; fail=1; }
done <<< "$rates"
[ -n "$through" ] || { through=", $(say "none: could not read shop-load's threads" "없음: shop-load의 스레드를 읽지 못했습니다")"; fail=1; }
say "p99 per port over $SECS s${lat#,} (need < $MAX_P99_MS ms for carts)" "$SECS s 동안 포트별 p99${lat#,} (기준: carts < $MAX_P99_MS ms)"
say "shop-load's requests per endpoint${through#,} (need ≥ $MIN_LOAD_PER_S/s each of 50/s)" "엔드포인트별 shop-load 요청${through#,} (기준: 각각 50/s 중 ≥ $MIN_LOAD_PER_S/s)"
exit $fail
