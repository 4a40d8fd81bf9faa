#!/bin/bash
# Self-test only. The fault: the batch job panics the kernel. The first run
# loads the shipped module and runs faulty-load; the VM panics and this run is
# cut short. The next run, after the runner rebooted the VM, passes when the
# crash record in /var/crash shows the Oops in the faulty driver.
shopt -s nullglob
for f in /var/crash/*/dmesg.*; do
  if grep -q 'RIP: .*faulty_submit' "$f"; then
    rip=$(grep -m1 -o 'RIP: .*' "$f")
    say "faulty-load panicked the kernel; crash record $f: $rip" "faulty-load가 커널을 패닉시켰습니다; 크래시 기록 $f: $rip"
    exit 0
  fi
done
lsmod | grep -q '^faulty ' || insmod /root/faulty/faulty.ko
/root/faulty/faulty-load
say "faulty-load finished without a panic" "faulty-load가 패닉 없이 끝났습니다"
exit 1
