#!/bin/bash
# Passes when the commitq module in the kernel was built from changed source, not
# the shipped, buggy build (module-lab.sh in the VM image: by srcversion).
source /opt/lab/.kdlabs-check/lib/module-lab.sh   # the tool set's copy: the image's is the learner's to edit
kdlabs_check_rebuilt commitq buggy
