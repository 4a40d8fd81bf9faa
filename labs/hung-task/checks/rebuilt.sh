#!/bin/bash
# Passes when the commitq module in the kernel was built from changed source:
# its srcversion (a hash of the source, comments and blank lines ignored)
# differs from the shipped, buggy build's.
shipped=$(cat /var/lib/kdlabs/commitq.srcversion 2>/dev/null || true)
if [ -z "$shipped" ]; then echo "the record of the shipped build is missing (/var/lib/kdlabs); reset the lab"; exit 1; fi
if [ ! -r /sys/module/commitq/srcversion ]; then
  echo "the commitq module is not loaded: fix commitq.c, run make in /root/commitq, then insmod commitq.ko"
  exit 1
fi
loaded=$(cat /sys/module/commitq/srcversion)
if [ "$loaded" = "$shipped" ]; then
  echo "the loaded commitq module is the shipped, buggy build (srcversion $loaded): fix commitq.c, make, then rmmod commitq && insmod commitq.ko"
  exit 1
fi
echo "the loaded commitq module is a rebuild from changed source (srcversion $loaded; shipped $shipped)"
