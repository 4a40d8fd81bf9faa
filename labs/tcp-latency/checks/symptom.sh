#!/bin/bash
# Self-test only: exits 0 while the fault is there — the check's own client, on a
# connection of its own, sees the carts port answer in ~40 ms (p50 ≥ 30 ms), held up
# by Nagle's algorithm waiting for the client's delayed ACK.
carts=${KDLABS_PARAM_PORT:-7103}
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
read -r port n p50 p99 max failed < <(probe 2 "$carts")
say "carts port $carts: $n requests in 2 s, p50 $p50 ms, p99 $p99 ms, max $max ms, $failed failed" "carts 포트 $carts: 2 s 동안 요청 $n개, p50 $p50 ms, p99 $p99 ms, 최대 $max ms, 실패 $failed개"
[ "${n:-0}" -gt 0 ] && awk -v p="$p50" 'BEGIN { exit !(p >= 30) }'
