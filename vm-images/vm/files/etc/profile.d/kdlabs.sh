# Lab VM login shells: the bundled tools on PATH, a terminal type that matches the web terminal.
# (Non-login shells find them too: they are linked into /usr/local/bin, and services get PATH from systemd.)
export PATH=/opt/kdlabs/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export TERM=${TERM:-xterm-256color}
export LANG=C.UTF-8
# bpftrace locks memory for its maps; keep the console shell's limit unlimited even if a login lowered it.
ulimit -l unlimited 2>/dev/null || true
