# Login shells in a lab: a short banner pointing at the lab's own notes.
# The bundled tools (kdiag, ktrace) on PATH: Debian's /etc/profile resets PATH for
# login shells (the lab terminal is `bash -l`), dropping the image's ENV PATH.
case ":$PATH:" in *:/opt/kdlabs/bin:*) ;; *) export PATH="/opt/kdlabs/bin:$PATH" ;; esac
if [ -t 1 ] && [ -z "${KDLABS_BANNER_SHOWN:-}" ]; then
  export KDLABS_BANNER_SHOWN=1
  if [ -r /opt/lab/motd ]; then cat /opt/lab/motd; fi
fi
