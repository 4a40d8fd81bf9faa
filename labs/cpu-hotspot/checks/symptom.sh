#!/bin/bash
# Self-test only: exits 0 while the fault is there: perf, sampling ingestd alone
# (-p), finds at least half of its CPU samples in the learner's build_*_table.
table=${KDLABS_PARAM_TABLE:-checksum}
pid=$(cat /run/ingestd.pid 2>/dev/null) || { say "ingestd is not running" "ingestd가 실행 중이 아닙니다"; exit 1; }
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
perf record -q -F 999 -g -p "$pid" -o "$dir/perf.data" -- sleep 2 2>/dev/null || { say "perf record failed" "perf record가 실패했습니다"; exit 1; }
perf script -i "$dir/perf.data" 2>/dev/null | ktrace flame --folded > "$dir/folded"
read -r hot all < <(awk -v f=";build_${table}_table$" '{ all += $NF; if ($1 ~ f) hot += $NF } END { print hot + 0, all + 0 }' "$dir/folded")
say "perf: $hot of $all samples of ingestd end in build_${table}_table" "perf: ingestd의 샘플 $all개 중 $hot개가 build_${table}_table에서 끝납니다"
[ "$all" -ge 50 ] && [ $((hot * 2)) -ge "$all" ]
