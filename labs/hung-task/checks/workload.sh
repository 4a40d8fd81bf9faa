#!/bin/bash
# Runs the original nightly job (/opt/lab/commitq/commitq-load) against the
# loaded module and passes when it finishes. It refuses to run it against the
# shipped build, which would leave more stuck tasks behind. The job's output
# goes to a file: a task stuck in the kernel would otherwise keep this check's
# output open forever.
shipped=${KDLABS_RECORD_commitq_srcversion:?the runner has no record of the shipped commitq build; reset the lab}   # kept by the runner (module-lab.sh)
if [ ! -r /sys/module/commitq/srcversion ]; then echo "the commitq module is not loaded (insmod /root/commitq/commitq.ko)"; exit 1; fi
if [ "$(cat /sys/module/commitq/srcversion)" = "$shipped" ]; then
  echo "not running the job: the loaded module is the shipped build, and its tasks would hang again"
  exit 1
fi
if grep -q offline /dev/commitq; then
  echo "the loaded commitq is offline (aborted): rmmod commitq && insmod /root/commitq/commitq.ko"
  exit 1
fi
out=/var/log/lab/commitq-load.check.log
/opt/lab/commitq/commitq-load >"$out" 2>&1 </dev/null
rc=$?
if [ $rc -ne 0 ] || ! grep -q '^done:' "$out"; then
  echo "commitq-load did not finish (exit $rc): $(tail -n 2 "$out" | tr '\n' ' ')"
  exit 1
fi
echo "commitq-load finished: $(tail -n 1 "$out")"
