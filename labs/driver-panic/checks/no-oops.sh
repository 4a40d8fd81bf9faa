#!/bin/bash
# Passes when the fixed module is loaded, has handled a full batch job, and the
# kernel has not oopsed since boot: no "D" taint (set by any Oops) and no Oops
# or BUG line in the kernel log.
shipped=${KDLABS_RECORD_faulty_srcversion:?the runner has no record of the shipped faulty build; reset the lab}   # kept by the runner (module-lab.sh)
if [ ! -r /sys/module/faulty/srcversion ] || [ "$(cat /sys/module/faulty/srcversion)" = "$shipped" ]; then
  echo "the fixed faulty module is not loaded yet"
  exit 1
fi
tainted=$(cat /proc/sys/kernel/tainted)
if (( tainted & 128 )); then
  echo "the kernel has oopsed since boot (taint flag D is set; see dmesg)"
  exit 1
fi
oops=$(dmesg | grep -E 'Oops:|BUG: kernel|general protection fault' | head -n 1)
if [ -n "$oops" ]; then echo "the kernel log has an Oops: $oops"; exit 1; fi
total=$(head -c 200 /dev/faulty | sed -n 's/.*total \([0-9]*\).*/\1/p')
if [ "${total:-0}" -lt 800 ]; then
  echo "the fixed module has handled ${total:-0} records; run faulty-load against it (it sends 800)"
  exit 1
fi
echo "no Oops since boot (taint D clear, clean kernel log); the fixed module handled $total records"
