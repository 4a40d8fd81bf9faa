#!/bin/bash
# Self-test only: exits 0 while the storm is raging (≥ 100k write calls/s from relayd).
pid=$(cat /run/relayd.pid 2>/dev/null) || { echo "relayd is not running"; exit 1; }
c1=$(awk '/^syscw/{print $2}' "/proc/$pid/io") || exit 1
sleep 1
c2=$(awk '/^syscw/{print $2}' "/proc/$pid/io") || exit 1
rate=$((c2 - c1))
echo "relayd makes $rate write calls per second"
[ "$rate" -ge 100000 ]
