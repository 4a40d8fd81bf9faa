#!/bin/bash
# Passes when the faulty module in the kernel was built from changed source, not
# the shipped, buggy build (module-lab.sh in the VM image: by srcversion).
source /usr/local/lib/kdlabs/module-lab.sh
kdlabs_check_rebuilt faulty buggy
