#!/bin/bash
# Runs once, before the lab's VM state is saved (at `labs build`; or after a
# cold boot): formats the data disk (QEMU throttles it: 200 requests/s, 8 MiB/s,
# lab.yaml vm.dataDisk), writes scand's 64 MiB data file on it (8 s at 8 MiB/s)
# and builds scand. Every session starts with the disk mounted and the data there.
set -euo pipefail
disk=/dev/disk/by-id/virtio-kdlabs-data
for _ in $(seq 50); do [ -b $disk ] && break; sleep 0.2; done
[ -b $disk ] || { echo "no data disk at $disk (is vm.dataDisk in lab.yaml?)" >&2; exit 1; }
mkdir -p /data /var/log/lab /var/lib/kdlabs
# No journal, few inodes, inode tables written now: no background writes (ext4lazyinit) on the measured disk later.
mkfs.ext4 -q -F -L data -O ^has_journal -N 1024 -E lazy_itable_init=0,nodiscard $disk
mount -o noatime $disk /data
gcc -O2 -Wall -o /usr/local/sbin/scand /opt/lab/scand/scand.c -lpthread
/usr/local/sbin/scand --create /data/records.db 64
install -m 644 /opt/lab/scand/scand.conf /etc/scand.conf
install -m 644 /opt/lab/scand/scand.service /etc/systemd/system/scand.service
systemctl daemon-reload
