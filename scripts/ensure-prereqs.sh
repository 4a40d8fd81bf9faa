#!/usr/bin/env bash
# Installs and starts what the runner needs on a Debian 12 machine, as root:
# Debian packages (docker.io, debootstrap, a C++ toolchain for native npm modules,
# QEMU for VM labs, chromium for browser tests), npm
# packages, a running Docker Engine, and tracefs mounted for bpftrace/perf.
# Safe to run again: every step checks first and says what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "This step needs root ($*). Run again as root, e.g. with sudo." >&2
    exit 3
  fi
}

if ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
  echo "Node.js 20 or newer is required (found $(node --version 2>/dev/null || echo none))." >&2
  exit 3
fi

npm_needed() { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }
npm_install() {
  # Native modules (better-sqlite3) compile with node-gyp; point it at the installed Node
  # headers so it does not try to download them (offline machines).
  if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
  # `npm install` (not `npm ci`): npm 11 writes lock files without other platforms' optional
  # packages, which `npm ci` then rejects as out of sync. The lock file still pins versions.
  npm install --no-audit --no-fund
}
# npm and apt take about a minute each on a fresh machine: where the compilers npm needs are
# already there, the npm packages install beside the Debian packages (the site answers sooner).
npm_pid=''
if npm_needed && command -v python3 make g++ >/dev/null 2>&1; then
  npm_log=$(mktemp /tmp/kdlabs-npm-install.XXXXXX)
  step "Installing npm packages in the background (log: $npm_log)"
  npm_install >"$npm_log" 2>&1 &
  npm_pid=$!
  # A step below that fails (apt, no root) does not leave npm running on its own.
  trap '[ -z "$npm_pid" ] || kill "$npm_pid" 2>/dev/null || true' EXIT
fi

# python3, make and g++ build better-sqlite3 (the progress store) from source when its prebuilt binary cannot be downloaded.
WANT_PKGS=(docker.io debootstrap ca-certificates python3 make g++)
# VM labs: QEMU (KVM when it works, TCG otherwise), qemu-img for session overlays,
# mkfs.ext4 -d for the VM image, unshare for its chroot.
WANT_PKGS+=(qemu-system-x86 qemu-utils e2fsprogs util-linux)
# fonts-nanum: Korean glyphs, so the Korean pages render in the browser tests and their screenshots.
[ "${KDLABS_BROWSER_TESTS:-0}" = 1 ] && WANT_PKGS+=(chromium fonts-nanum)
missing=()
for p in "${WANT_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  step "Installing Debian packages: ${missing[*]}"
  need_root "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  step "Debian packages present: ${WANT_PKGS[*]}"
fi

if [ -n "$npm_pid" ]; then
  npm_rc=0
  wait "$npm_pid" || npm_rc=$?
  npm_pid=''
  if [ "$npm_rc" -ne 0 ]; then
    tail -n 40 "$npm_log" >&2
    echo "npm install failed (full log: $npm_log)" >&2
    exit 3
  fi
  echo "npm packages installed"
elif npm_needed; then
  step "Installing npm packages"
  npm_install
else
  step "npm packages present"
fi

docker_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if docker_up; then
  step "Docker Engine running ($(docker version --format '{{.Server.Version}}'))"
else
  step "Starting Docker Engine"
  need_root "start dockerd"
  if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
    systemctl start docker || true
  fi
  if ! docker_up; then
    # No systemd (containers, CI): start dockerd directly. Without a usable bridge
    # network (as on our CI machines) it must run with --bridge=none; labs use no network anyway.
    mkdir -p /var/log
    nohup dockerd --bridge=none --iptables=false --ip6tables=false >/var/log/dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do docker_up && break; sleep 0.5; done
  docker_up || { echo "Docker Engine did not start; see /var/log/dockerd.log" >&2; tail -n 20 /var/log/dockerd.log >&2 || true; exit 3; }
  echo "Docker Engine $(docker version --format '{{.Server.Version}}') is up"
fi

if [ ! -e /sys/kernel/tracing/trace ]; then
  step "Mounting tracefs at /sys/kernel/tracing (bpftrace and perf need it)"
  need_root "mount tracefs"
  mount -t tracefs nodev /sys/kernel/tracing || echo "warning: could not mount tracefs; tracing labs will not work" >&2
fi
