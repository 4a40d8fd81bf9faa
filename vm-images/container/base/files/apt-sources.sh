#!/bin/sh
# Writes apt sources for the given Debian mirrors (bookworm, updates, security).
set -eu
mirror=$1 security=$2
cat > /etc/apt/sources.list <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SOURCES
# Keep images small: no translations, no suggested packages.
printf 'Acquire::Languages "none";\nAPT::Install-Suggests "0";\n' > /etc/apt/apt.conf.d/90kdlabs
