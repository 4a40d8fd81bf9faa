#!/bin/bash
# Each session: the module is already built (prepare.sh ran before the VM state
# was saved). Loads it and starts the kvc-load service: the leak runs from its
# first request.
set -euo pipefail
[ -f /root/kvcache/kvcache.ko ] || { echo "/root/kvcache/kvcache.ko is missing: the lab's prepare.sh did not run" >&2; exit 1; }
insmod /root/kvcache/kvcache.ko

# A real unit (not systemd-run's transient one): the learner stops and starts it around the module reload.
cat >/etc/systemd/system/kvc-load.service <<'UNIT'
[Unit]
Description=kvc-load, the front end that looks users up in /dev/kvcache

[Service]
ExecStart=/var/lib/kdlabs/kvc-load --serve
Restart=always
RestartSec=1

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl start kvc-load

# Return once the service really sends requests (TCG on a busy host is slow).
for _ in $(seq 1 90); do
  requests=$(sed -n 's/^requests \([0-9]*\).*/\1/p' /dev/kvcache)
  [ "${requests:-0}" -ge 200 ] && exit 0
  sleep 1
done
echo "the kvc-load service sends no requests to /dev/kvcache:" >&2
systemctl status --no-pager kvc-load >&2 || true
exit 1
