#!/bin/bash
# Passes when a crash record of a panic in the faulty driver is in /var/crash
# (written by the lab runner after it caught the panic and rebooted the VM).
shopt -s nullglob
files=(/var/crash/*/dmesg.*)
if [ ${#files[@]} -eq 0 ]; then
  echo "no crash record in /var/crash yet: load the module and run faulty-load (step 1)"
  exit 1
fi
for f in "${files[@]}"; do
  if grep -q 'RIP: .*\[faulty\]' "$f"; then
    echo "crash record $f: $(grep -m1 -o 'RIP: .*' "$f")"
    exit 0
  fi
done
echo "crash records found (${files[*]}), but none shows the faulty driver on its RIP line"
exit 1
