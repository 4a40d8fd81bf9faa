# Sourced by the checks: measures the data disk from the kernel's own counters
# (/sys/block/<dev>/stat, the numbers iostat reads) and summarises scand's log.
#   measure SECONDS   sets r_s (reads/s), rq_kb (KiB per read), await_ms
#                     (average read latency), util (% of time busy), and from
#                     the log lines written in that window: rec_s, p99 (medians)
data_dev() { basename "$(readlink -f /dev/disk/by-id/virtio-kdlabs-data)"; }

measure() {
  local secs=$1 dev a b
  dev=$(data_dev)
  [ -r "/sys/block/$dev/stat" ] || { say "no data disk (/dev/disk/by-id/virtio-kdlabs-data)" "데이터 디스크가 없습니다 (/dev/disk/by-id/virtio-kdlabs-data)"; return 1; }
  local lines_before
  lines_before=$(wc -l </var/log/lab/scand.log 2>/dev/null || echo 0)
  local t0 t1
  # The window as the kernel counted it: on a busy emulated CPU, `sleep 8` can last longer than 8 s.
  read -r t0 _ </proc/uptime; read -ra a <"/sys/block/$dev/stat"
  sleep "$secs"
  read -r t1 _ </proc/uptime; read -ra b <"/sys/block/$dev/stat"
  local ms=$(( ${t1/./}0 - ${t0/./}0 ))
  local reads=$(( b[0] - a[0] ))
  r_s=$(( reads * 1000 / ms ))
  rq_kb=$(( reads > 0 ? (b[2] - a[2]) / 2 / reads : 0 ))
  await_ms=$(( reads > 0 ? (b[3] - a[3]) / reads : 0 ))
  util=$(( (b[9] - a[9]) * 100 / ms ))
  # The log's lines of this window (after the last restart), medians: one hiccup of a busy host does not decide.
  local window
  window=$(tail -n +"$((lines_before + 1))" /var/log/lab/scand.log | grep 'records/s=')
  rec_s=$(grep -o 'records/s=[0-9]*' <<<"$window" | cut -d= -f2 | sort -n | awk '{v[NR]=$1} END {print NR ? v[int((NR+1)/2)] : -1}')
  p99=$(grep -o 'p99=[0-9.]*' <<<"$window" | cut -d= -f2 | sort -g | awk '{v[NR]=$1} END {print NR ? v[int((NR+1)/2)] : -1}')
  summary="data disk $dev: ${r_s} reads/s of ${rq_kb} KiB, ${await_ms} ms average, ${util}% busy; scand: ${rec_s} records/s, p99 ${p99} ms"
}
