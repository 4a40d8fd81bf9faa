#!/bin/bash
# Starts the orders service with its original JVM options, the backup agent and the
# traffic (upstream feed + latency probe), and returns once the probe measures the
# warm service.
set -eu
mkdir -p /var/lib/orders/journal /var/log/orders /var/log/lab

# A week of order journals for the backup agent to ship (12 × 32 MiB). Flushed to disk
# so that their page cache is clean, as it would be on a machine that has run for days.
python3 - <<'PY'
import os, random
rnd = random.Random(7)
lines = []
for i in range(12000):
    lines.append(f"order={1000000 + i} customer=C{10000000 + rnd.randrange(250000)} "
                 f"items={rnd.randint(20, 40)} total_cents={rnd.randint(1000, 900000)} status=shipped\n")
block = "".join(lines).encode()
for day in range(12):
    path = f"/var/lib/orders/journal/orders-{day + 1:02d}.log"
    with open(path, "wb") as f:
        left = 32 << 20
        while left > 0:
            chunk = block[:left]
            f.write(chunk)
            left -= len(chunk)
        f.flush()
        os.fsync(f.fileno())
PY

orderctl start
orderctl traffic

# Wait until the probe has two seconds of successful lookups.
for _ in $(seq 1 120); do
  if [ -f /var/log/orders/latency.log ] && [ "$(tail -n 40 /var/log/orders/latency.log | awk '$3 == 200' | wc -l)" -ge 40 ]; then
    exit 0
  fi
  sleep 0.5
done
echo "the latency probe has not measured the service within 60 s; see /var/log/lab/orders-probe.log" >&2
orderctl status >&2 || true
exit 1
