#!/bin/bash
# Each session: the module is already built (prepare.sh ran before the VM state
# was saved). Arms the kernel's hung-task detector with a short timeout
# (Debian's default is 120 s) and leaves hung_task_panic off: a stuck task is
# reported, not fatal.
set -euo pipefail
[ -f /root/commitq/commitq.ko ] || { echo "/root/commitq/commitq.ko is missing: the lab's prepare.sh did not run" >&2; exit 1; }
[ -w /proc/sys/kernel/hung_task_timeout_secs ] || { echo "this kernel has no hung-task detector (CONFIG_DETECT_HUNG_TASK)" >&2; exit 1; }
# The same settings after a reboot of the VM, through systemd-sysctl.
cat >/etc/sysctl.d/90-hung-task-lab.conf <<'SYSCTL'
kernel.hung_task_timeout_secs = 10
kernel.hung_task_panic = 0
kernel.hung_task_warnings = 10
SYSCTL
sysctl -q -p /etc/sysctl.d/90-hung-task-lab.conf
