# Lab VM shells: the bundled tools on PATH, a terminal type that matches the web terminal.
export PATH=/opt/kdlabs/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export TERM=${TERM:-xterm-256color}
export LANG=C.UTF-8
