# Login shells in a lab: a short banner pointing at the lab's own notes.
if [ -t 1 ] && [ -z "${KDLABS_BANNER_SHOWN:-}" ]; then
  export KDLABS_BANNER_SHOWN=1
  if [ -r /opt/lab/motd ]; then cat /opt/lab/motd; fi
fi
