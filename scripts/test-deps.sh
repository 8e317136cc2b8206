#!/usr/bin/env bash
# Installs the real components the tests run against, from Debian's packages, when missing:
# dockerd (docker.io), the busybox the test image is built from, Prometheus, docker-compose (to
# validate docker-compose.yml) and Chromium (the plugin's browser test).
set -euo pipefail
need=()
command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || need+=(docker.io)
{ [ -x /bin/busybox ] || [ -x /usr/bin/busybox ]; } || need+=(busybox-static)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  echo "test dependencies present: dockerd, busybox, prometheus, docker-compose, chromium"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]}; run: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${need[@]}"
