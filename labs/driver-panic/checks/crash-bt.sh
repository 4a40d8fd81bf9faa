#!/bin/bash
# Passes when crash's backtrace of the panicking task, read from a memory dump
# in /var/crash, is saved in a file in /root (`bt > /root/bt.txt` at the crash>
# prompt, or the step's scripted run into /root/crash.txt): the bt header names
# faulty-load, a frame is in faulty_submit, and its PID is the one the Oops in
# a crash record names (so it comes from this VM's dump, not from a copy).
shopt -s nullglob
dumps=(/var/crash/*/dump.*)
if [ ${#dumps[@]} -eq 0 ]; then
  say "no memory dump in /var/crash yet: crash the VM first (step 1), then look for dump.<time> beside dmesg.<time>" "/var/crash에 아직 메모리 덤프가 없습니다: 먼저 VM을 크래시시키고(1단계), dmesg.<time> 옆에서 dump.<time>을 찾으십시오"
  exit 1
fi
# PIDs of faulty-load in the Oopses of the crash records ("CPU: 0 PID: 1234 Comm: faulty-load ...").
oops_pids=$(grep -ho 'PID: [0-9]* Comm: faulty-load' /var/crash/*/dmesg.* 2>/dev/null | awk '{print $2}' | sort -u)
for f in /root/*.txt /root/*.log /root/*.out; do
  [ -f "$f" ] || continue
  # crash's bt header: PID: 1234     TASK: ffff888003a8a000  CPU: 0    COMMAND: "faulty-load"
  pid=$(grep -m1 -E '^PID: [0-9]+ +TASK: [0-9a-f]+ +CPU: [0-9]+ +COMMAND: "faulty-load"' "$f" | awk '{print $2}')
  [ -n "$pid" ] || continue
  if ! grep -qE '^ *#[0-9]+ .*faulty_submit|exception RIP: faulty_submit' "$f"; then
    say "$f has the bt header of faulty-load (PID $pid) but no faulty_submit frame: is it the whole bt?" "$f에 faulty-load의 bt 헤더(PID $pid)는 있지만 faulty_submit 프레임이 없습니다: bt 전체입니까?"
    exit 1
  fi
  if ! grep -qx "$pid" <<<"$oops_pids"; then
    say "$f shows faulty-load as PID $pid, but the Oops in /var/crash names PID(s) $(echo $oops_pids): save bt from this VM's dump" "$f에는 faulty-load가 PID $pid로 나오지만, /var/crash의 Oops가 가리키는 PID는 $(echo $oops_pids)입니다: 이 VM의 덤프에서 bt를 저장하십시오"
    exit 1
  fi
  rip=$(grep -m1 -oE 'exception RIP: [^] ]*' "$f")
  say "crash's bt in $f: PID $pid faulty-load, ${rip:-a faulty_submit frame}" "$f의 crash bt: PID $pid faulty-load, ${rip:-faulty_submit 프레임}"
  exit 0
done
say "no saved backtrace yet: open the dump with crash and save bt (at the crash> prompt: bt > /root/bt.txt)" "저장된 백트레이스가 아직 없습니다: crash로 덤프를 열고 bt를 저장하십시오 (crash> 프롬프트에서: bt > /root/bt.txt)"
exit 1
