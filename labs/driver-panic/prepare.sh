#!/bin/bash
# Runs once, before the lab's VM state is saved (at `labs build`; or after a cold
# boot): puts the faulty driver's source in /root/faulty and builds it as shipped
# (with debug info), and records the shipped build's srcversion so the checks can
# tell it from a rebuilt, fixed module. Every session starts with it built.
set -euo pipefail
source /usr/local/lib/kdlabs/module-lab.sh
kdlabs_build_shipped faulty
