#!/bin/bash
# Passes when ingestd does at least 3× the records per CPU-second that the
# lab's original set-up does (its config pins no table, so the release profile
# keeps one table per_call), with records of unchanged size. Both numbers come
# from the kernel: records = write calls (/proc/<pid>/io syscw, one per record),
# CPU = time on CPU (/proc/<pid>/schedstat). The original config's rate is
# measured in the same 4 s by a reference ingestd run beside the service, so a
# busy host slows both alike.
RECORD_BYTES=512
TRAILER_BYTES=8
NEED_TIMES=3
WINDOW=4
table=${KDLABS_PARAM_TABLE:-checksum}
pid=$(cat /run/ingestd.pid 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then say "ingestd is not running (ingestctl start; its log: /var/log/lab/ingestd.log)" "ingestd가 실행 중이 아닙니다 (ingestctl start; 로그: /var/log/lab/ingestd.log)"; exit 1; fi
conf_bytes=$(sed -nE 's/^\s*record_bytes\s*=\s*([0-9]+).*/\1/p' /etc/ingestd.conf | tail -n 1)
if [ "${conf_bytes:-$RECORD_BYTES}" != "$RECORD_BYTES" ]; then
  say "record_bytes in /etc/ingestd.conf is $conf_bytes, not $RECORD_BYTES: upstream's records do not get smaller." "/etc/ingestd.conf의 record_bytes 값은 $conf_bytes입니다 ($RECORD_BYTES 아님): 업스트림의 레코드는 작아지지 않습니다."
  exit 1
fi

# The reference: the shipped config (no table pinned) with a release profile of
# its own, sealed for this learner's table, so editing the lab's files cannot
# change it. The seed names no table; only ingestd's binary maps it to one.
ref_dir=$(mktemp -d)
trap 'kill "$ref" 2>/dev/null; rm -rf "$ref_dir"' EXIT
echo "record_bytes = $RECORD_BYTES" > "$ref_dir/ingestd.conf"
printf '%s\n' "$table" | ingestd --seal > "$ref_dir/profile" || { say "ingestd --seal failed: is /usr/local/sbin/ingestd the lab's?" "ingestd --seal이 실패했습니다: /usr/local/sbin/ingestd가 이 실습의 것입니까?"; exit 1; }
ingestd "$ref_dir/ingestd.conf" "$ref_dir/stats" "$ref_dir/profile" >/dev/null 2>&1 &
ref=$!
sleep 0.5

# records, bytes written, ns on CPU
sample() { echo "$(awk '/^syscw/{c=$2} /^wchar/{w=$2} END{print c, w}' "/proc/$1/io") $(cut -d' ' -f1 "/proc/$1/schedstat")"; }
read -r c1 w1 t1 < <(sample "$pid"); read -r rc1 _ rt1 < <(sample "$ref")
sleep "$WINDOW"
kill -0 "$pid" 2>/dev/null || { say "ingestd exited during the measurement" "측정 중에 ingestd가 종료되었습니다"; exit 1; }
read -r c2 w2 t2 < <(sample "$pid"); read -r rc2 _ rt2 < <(sample "$ref")

records=$((c2 - c1)); bytes=$((w2 - w1))
if [ "$records" -le 0 ] || [ $((t2 - t1)) -le 0 ] || [ $((rt2 - rt1)) -le 0 ]; then say "ingestd wrote no records in $WINDOW s: is it stuck? See /var/log/lab/ingestd.log" "ingestd가 $WINDOW s 동안 레코드를 하나도 쓰지 않았습니다: 멈춰 있습니까? /var/log/lab/ingestd.log를 보십시오"; exit 1; fi
# The stats file's once-a-second write is counted too: a hair under 520 bytes per write.
if [ $((bytes / records)) -lt "$RECORD_BYTES" ]; then
  say "ingestd writes $((bytes / records)) bytes per record; a $RECORD_BYTES-byte record and its trailer are $((RECORD_BYTES + TRAILER_BYTES))." "ingestd가 레코드당 $((bytes / records)) 바이트를 씁니다; $RECORD_BYTES 바이트 레코드와 그 트레일러를 합하면 $((RECORD_BYTES + TRAILER_BYTES)) 바이트입니다."
  exit 1
fi
read -r rate ref_rate times per_s < <(awk -v c="$records" -v t="$((t2 - t1))" -v rc="$((rc2 - rc1))" -v rt="$((rt2 - rt1))" -v w="$WINDOW" \
  'BEGIN { r = c / (t / 1e9); rr = rc / (rt / 1e9); printf "%d %d %.1f %d\n", r, rr, r / rr, c / w }')
msg=$(say "ingestd: $rate records per CPU-second ($per_s records/s); the original set-up, measured alongside: $ref_rate per CPU-second" "ingestd: CPU 초당 레코드 $rate개 ($per_s records/s); 함께 측정한 원래 설정: CPU 초당 $ref_rate개")
if awk -v x="$times" -v n="$NEED_TIMES" 'BEGIN { exit !(x >= n) }'; then
  say "$msg — ${times}× (need ≥ ${NEED_TIMES}×)." "$msg — ${times}× (기준: ≥ ${NEED_TIMES}×)."
else
  say "$msg — only ${times}× (need ≥ ${NEED_TIMES}×)." "$msg — ${times}×에 그칩니다 (기준: ≥ ${NEED_TIMES}×)."
  exit 1
fi
