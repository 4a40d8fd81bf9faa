#!/bin/bash
# Passes when scand keeps up with its target (1000 records/s, as shipped) and
# the kernel sees the data disk serve large reads: the fix made each request
# carry many records, instead of lowering the target.
. /opt/lab/measure.sh
systemctl is-active -q scand || { say "scand is not running (systemctl start scand)" "scand가 실행 중이 아닙니다 (systemctl start scand)"; exit 1; }
grep -Eq '^[[:space:]]*rate[[:space:]]*=[[:space:]]*1000([[:space:]]|#|$)' /etc/scand.conf || { say "keep rate = 1000 in /etc/scand.conf: the target is not what is wrong" "/etc/scand.conf의 rate = 1000은 그대로 두십시오: 잘못된 것은 목표가 아닙니다"; exit 1; }
measure 8 || exit 1
say "$summary" "데이터 디스크 $(data_dev): ${r_s} reads/s, 읽기당 ${rq_kb} KiB, 평균 ${await_ms} ms, ${util}% 바쁨; scand: ${rec_s} records/s, p99 ${p99} ms"
[ "$rec_s" -ge 850 ] || { say "scand verifies $rec_s records/s; the target is 1000 (restarted it after the change? systemctl restart scand)" "scand의 검증 속도는 $rec_s records/s입니다; 목표는 1000입니다 (변경 후 재시작했습니까? systemctl restart scand)"; exit 1; }
[ "$rq_kb" -ge 32 ] || { say "the data disk still serves small reads ($rq_kb KiB each)" "데이터 디스크가 아직 작은 읽기를 처리합니다 (읽기당 $rq_kb KiB)"; exit 1; }
