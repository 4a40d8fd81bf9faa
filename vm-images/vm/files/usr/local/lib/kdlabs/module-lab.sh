# Shared by the VM labs that ship a buggy kernel module (driver-panic,
# hung-task, slab-leak): sourced by a lab's prepare.sh to build the module as
# shipped, and by its `rebuilt` check to tell a rebuild from changed source.
# The test is the module's srcversion, modpost's hash of its source with
# comments and blank lines ignored: a rebuilt, unchanged module does not pass.
# The shipped build's srcversion is printed as a `kdlabs-record` line, which the
# runner keeps and gives each check as KDLABS_RECORD_<module>_srcversion: the
# copy in /var/lib/kdlabs/<module>.srcversion is the learner's to rewrite.
# The shipped module itself stays in /var/lib/kdlabs/<module>-shipped.ko.
# Messages go through `say EN KO` (the runner defines it for its scripts, from
# the learner's KDLABS_LANG); sourced anywhere else, the English is printed.
command -v say >/dev/null 2>&1 || say() { printf '%s\n' "$1"; }

# kdlabs_build_shipped <module>: /opt/lab/<module> → /root/<module>, built with
# make; the build log in /var/log/lab/<module>-build.log, its tail on failure.
kdlabs_build_shipped() {
  local m=$1
  rm -rf "/root/$m"
  cp -a "/opt/lab/$m" "/root/$m"
  mkdir -p /var/lib/kdlabs /var/log/lab
  if ! make -C "/root/$m" >"/var/log/lab/$m-build.log" 2>&1; then
    say "building the $m module failed:" "$m 모듈 빌드가 실패했습니다:" >&2
    tail -n 20 "/var/log/lab/$m-build.log" >&2
    return 1
  fi
  modinfo -F srcversion "/root/$m/$m.ko" >"/var/lib/kdlabs/$m.srcversion"
  echo "kdlabs-record ${m}_srcversion=$(cat "/var/lib/kdlabs/$m.srcversion")"
  cp "/root/$m/$m.ko" "/var/lib/kdlabs/$m-shipped.ko"
}

# kdlabs_check_rebuilt <module> <what the shipped build is, e.g. buggy> [<how
# to reload it>]: exits 0 when the loaded <module> is a build from changed
# source; otherwise 1 with what to do (/root/<module>/<module>.c, make, reload).
kdlabs_check_rebuilt() {
  local m=$1 what=$2 reload=${3:-"rmmod $1 && insmod $1.ko"} shipped loaded
  shipped=$(kdlabs_shipped_srcversion "$m")
  if [ -z "$shipped" ]; then
    say "the runner has no record of the shipped $m build; reset the lab" "러너에 배포된 $m 빌드의 기록이 없습니다. 실습을 초기화하십시오"
    exit 1
  fi
  if [ ! -r "/sys/module/$m/srcversion" ]; then
    say "the $m module is not loaded: fix $m.c, run make in /root/$m, then insmod $m.ko" \
      "$m 모듈이 적재되어 있지 않습니다: $m.c를 고치고 /root/$m에서 make를 실행한 뒤 insmod $m.ko 하십시오"
    exit 1
  fi
  loaded=$(cat "/sys/module/$m/srcversion")
  if [ "$loaded" = "$shipped" ]; then
    say "the loaded $m module is the shipped, $what build (srcversion $loaded): fix $m.c, make, then $reload" \
      "적재된 $m 모듈은 배포된 빌드 그대로입니다 (srcversion $loaded): $m.c를 고치고 make한 뒤 $reload 하십시오"
    exit 1
  fi
  say "the loaded $m module is a rebuild from changed source (srcversion $loaded; shipped $shipped)" \
    "적재된 $m 모듈은 바뀐 소스로 다시 빌드한 것입니다 (srcversion $loaded; 배포된 빌드 $shipped)"
  exit 0
}

# kdlabs_shipped_srcversion <module>: the shipped build's srcversion as the runner
# recorded it at prepare (empty outside a check).
kdlabs_shipped_srcversion() {
  local var="KDLABS_RECORD_$1_srcversion"
  printf '%s\n' "${!var:-}"
}
