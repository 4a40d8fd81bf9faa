#!/bin/bash
# Runs the original batch job (/opt/lab/faulty/faulty-load) against the loaded
# module and passes when it completes. It refuses to run it against the shipped
# build, which would panic the VM again.
shipped=${KDLABS_RECORD_faulty_srcversion:?the runner has no record of the shipped faulty build; reset the lab}   # kept by the runner (module-lab.sh)
if [ ! -r /sys/module/faulty/srcversion ]; then echo "the faulty module is not loaded (insmod /root/faulty/faulty.ko)"; exit 1; fi
if [ "$(cat /sys/module/faulty/srcversion)" = "$shipped" ]; then
  echo "not running the batch job: the loaded module is the shipped build, and it would panic the kernel again"
  exit 1
fi
out=$(/opt/lab/faulty/faulty-load 4 200 2>&1)
rc=$?
if [ $rc -ne 0 ] || ! grep -q '^done:' <<<"$out"; then
  echo "faulty-load failed (exit $rc): $(tail -n 2 <<<"$out" | tr '\n' ' ')"
  exit 1
fi
echo "faulty-load completed: $(tail -n 1 <<<"$out")"
