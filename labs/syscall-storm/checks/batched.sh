#!/bin/bash
# Passes when relayd runs and hands the kernel many records per write call.
pid=$(cat /run/relayd.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
  echo "relayd is not running. Start it with: relayctl start (its log: /var/log/lab/relayd.log)"
  exit 1
fi
sample() { awk '/^wchar/{w=$2} /^syscw/{c=$2} END{print w, c}' "/proc/$pid/io"; }
read -r w1 c1 < <(sample)
sleep 1
read -r w2 c2 < <(sample)
calls=$((c2 - c1)); bytes=$((w2 - w1))
if [ "$calls" -le 0 ]; then echo "relayd made no write calls in a second — is it stuck? See /var/log/lab/relayd.log"; exit 1; fi
avg=$((bytes / calls))
if [ "$avg" -lt 1024 ]; then
  echo "relayd still hands the kernel about $avg bytes per call ($calls calls in 1 s): one record at a time."
  exit 1
fi
echo "relayd now writes about $avg bytes per call ($calls calls in 1 s)."
