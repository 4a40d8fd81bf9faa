#!/bin/bash
# Passes when a crash record of a panic in the faulty driver is in /var/crash
# (written by the lab runner after it caught the panic and rebooted the VM).
shopt -s nullglob
files=(/var/crash/*/dmesg.*)
if [ ${#files[@]} -eq 0 ]; then
  say "no crash record in /var/crash yet: load the module and run faulty-load (step 1)" "/var/crash에 아직 크래시 기록이 없습니다: 모듈을 적재하고 faulty-load를 실행하십시오 (1단계)"
  exit 1
fi
for f in "${files[@]}"; do
  if grep -q 'RIP: .*\[faulty\]' "$f"; then
    rip=$(grep -m1 -o 'RIP: .*' "$f")
    say "crash record $f: $rip" "크래시 기록 $f: $rip"
    exit 0
  fi
done
say "crash records found (${files[*]}), but none shows the faulty driver on its RIP line" "크래시 기록(${files[*]})은 있지만, RIP 줄에 faulty 드라이버가 나오는 것이 없습니다"
exit 1
