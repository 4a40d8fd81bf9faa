#!/bin/bash
# Passes when the faulty module in the kernel was built from changed source:
# its srcversion (a hash of the source, comments and blank lines ignored)
# differs from the shipped, buggy build's.
shipped=$(cat /var/lib/kdlabs/faulty.srcversion 2>/dev/null || true)
if [ -z "$shipped" ]; then echo "the record of the shipped build is missing (/var/lib/kdlabs); reset the lab"; exit 1; fi
if [ ! -r /sys/module/faulty/srcversion ]; then
  echo "the faulty module is not loaded: fix faulty.c, run make in /root/faulty, then insmod faulty.ko"
  exit 1
fi
loaded=$(cat /sys/module/faulty/srcversion)
if [ "$loaded" = "$shipped" ]; then
  echo "the loaded faulty module is the shipped, buggy build (srcversion $loaded): fix faulty.c, make, then rmmod faulty && insmod faulty.ko"
  exit 1
fi
echo "the loaded faulty module is a rebuild from changed source (srcversion $loaded; shipped $shipped)"
