#!/bin/bash
# Runs inside the debootstrapped root (chroot, with /proc, /sys and /dev mounted
# in a private mount namespace by the runner's VM image builder):
#   configure.sh <debian-mirror> <security-mirror> <package>...
# Installs the packages, copies files/ over the root, and tunes the system for a
# lab VM: root shell on the serial console, qemu-guest-agent, a small initramfs,
# no services a lab does not need (they only slow the boot down, above all on TCG).
set -euo pipefail
mirror=$1 security=$2
shift 2
export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8

cat > /etc/apt/sources.list <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SOURCES
printf 'Acquire::Languages "none";\nAPT::Install-Suggests "0";\nAPT::Install-Recommends "0";\n' > /etc/apt/apt.conf.d/90kdlabs
# Keep docs, man pages and translations out of the image.
cat > /etc/dpkg/dpkg.cfg.d/90kdlabs-nodoc <<'NODOC'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/info/*
NODOC

apt-get update -q
apt-get install -y -q "$@"

# The files of the recipe (getty autologin, fstab, profile, bashrc, motd).
cp -a /tmp/kdlabs-files/. /
chmod 755 /opt/kdlabs/bin/*
# The bundled tools on every PATH, including shells that never read /etc/profile (bash -c, su, env -i).
for tool in /opt/kdlabs/bin/*; do ln -sf "$tool" "/usr/local/bin/${tool##*/}"; done
# Sets the clock of a VM restored from a saved state without starting a process (kdlabs-clockd.c says why).
gcc -O2 -Wall -o /usr/local/sbin/kdlabs-clockd /usr/local/src/kdlabs-clockd.c
systemctl enable kdlabs-clockd.service
# A panic's crash record lands in /var/crash early in the next boot, before the login (kdlabs-crash-record).
chmod 755 /usr/local/sbin/kdlabs-crash-record
systemctl enable kdlabs-crash-record.service

# A small initramfs: the VM has a virtio disk with ext4 and nothing else.
sed -i 's/^MODULES=.*/MODULES=list/' /etc/initramfs-tools/initramfs.conf
printf 'virtio_pci\nvirtio_blk\next4\n' >> /etc/initramfs-tools/modules
update-initramfs -u -k all

# systemd: straight to multi-user with a root shell on ttyS0.
systemctl set-default multi-user.target
systemctl mask \
  apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer e2scrub_reap.service \
  fstrim.timer systemd-tmpfiles-clean.timer getty-static.service getty@tty1.service \
  systemd-binfmt.service modprobe@dm_mod.service modprobe@fuse.service modprobe@loop.service modprobe@efi_pstore.service \
  auditd.service # installed for ausyscall only; the kernel runs with audit=0
mkdir -p /etc/systemd/system-generators
for g in sysv cryptsetup veritysetup integritysetup gpt-auto hibernate-resume bless-boot system-update debug; do
  ln -sf /dev/null "/etc/systemd/system-generators/systemd-$g-generator"
done
systemd-machine-id-setup >/dev/null
# root logs in on the console without a password (agetty --autologin); no password works anywhere else.
usermod -p '*' root
mkdir -p /var/crash /opt/lab /var/log/lab

# What labs and checks rely on: fail the build here, not a lab later.
for f in /usr/include/x86_64-linux-gnu/asm/unistd_64.h /usr/local/bin/kdiag /usr/local/bin/ktrace /usr/local/sbin/kdlabs-clockd /usr/local/sbin/kdlabs-crash-record /usr/local/lib/kdlabs/module-lab.sh; do
  [ -e "$f" ] || { echo "E: the image lacks $f" >&2; exit 1; }
done
command -v ausyscall >/dev/null || { echo "E: the image lacks ausyscall (package auditd)" >&2; exit 1; }

# Where the kernel's debug package is, for the runner: it streams just the debug
# vmlinux out of it for `crash` (the package is 860 MB; the image gets one file).
kver=$(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
apt-get download --print-uris "linux-image-$kver-dbg" > /tmp/kdlabs-debug-uri
grep -q "linux-image-$kver-dbg_" /tmp/kdlabs-debug-uri || { echo "E: no debug package linux-image-$kver-dbg in the mirror" >&2; exit 1; }
command -v crash >/dev/null || { echo "E: the image lacks crash (package crash)" >&2; exit 1; }

apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /tmp/kdlabs-files /etc/resolv.conf
