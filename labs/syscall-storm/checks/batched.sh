#!/bin/bash
# Passes when relayd runs and hands the kernel many records per write call.
pid=$(cat /run/relayd.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
  say "relayd is not running. Start it with: relayctl start (its log: /var/log/lab/relayd.log)" "relayd가 실행 중이 아닙니다. 다음으로 시작하십시오: relayctl start (로그: /var/log/lab/relayd.log)"
  exit 1
fi
sample() { awk '/^wchar/{w=$2} /^syscw/{c=$2} END{print w, c}' "/proc/$pid/io"; }
read -r w1 c1 < <(sample)
sleep 1
read -r w2 c2 < <(sample)
calls=$((c2 - c1)); bytes=$((w2 - w1))
if [ "$calls" -le 0 ]; then say "relayd made no write calls in a second — is it stuck? See /var/log/lab/relayd.log" "relayd가 1초 동안 write 호출을 한 번도 하지 않았습니다 — 멈춰 있습니까? /var/log/lab/relayd.log를 보십시오"; exit 1; fi
avg=$((bytes / calls))
if [ "$avg" -lt 1024 ]; then
  say "relayd still hands the kernel about $avg bytes per call ($calls calls in 1 s): one record at a time." "relayd가 아직 호출당 약 $avg 바이트를 커널에 넘깁니다 (1 s 동안 호출 $calls번): 한 번에 레코드 하나씩입니다."
  exit 1
fi
say "relayd now writes about $avg bytes per call ($calls calls in 1 s)." "이제 relayd는 호출당 약 $avg 바이트를 씁니다 (1 s 동안 호출 $calls번)."
