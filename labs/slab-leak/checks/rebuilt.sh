#!/bin/bash
# Passes when the kvcache module in the kernel was built from changed source:
# its srcversion (a hash of the source, comments and blank lines ignored)
# differs from the shipped, leaking build's.
shipped=$(cat /var/lib/kdlabs/kvcache.srcversion 2>/dev/null || true)
if [ -z "$shipped" ]; then echo "the record of the shipped build is missing (/var/lib/kdlabs); reset the lab"; exit 1; fi
if [ ! -r /sys/module/kvcache/srcversion ]; then
  echo "the kvcache module is not loaded: fix kvcache.c, run make in /root/kvcache, then insmod kvcache.ko"
  exit 1
fi
loaded=$(cat /sys/module/kvcache/srcversion)
if [ "$loaded" = "$shipped" ]; then
  echo "the loaded kvcache module is the shipped, leaking build (srcversion $loaded): fix kvcache.c, make, then reload it"
  exit 1
fi
echo "the loaded kvcache module is a rebuild from changed source (srcversion $loaded; shipped $shipped)"
