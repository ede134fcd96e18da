#!/usr/bin/env bash
# One command for a fresh machine (as root): system packages, containerd running, berth
# built and on PATH.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

"$root/scripts/install-debian-packages.sh"

if ! ctr --address /run/containerd/containerd.sock version >/dev/null 2>&1; then
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    systemctl enable --now containerd
  else
    # No systemd here: run containerd in the background, logging to a file.
    mkdir -p /var/log
    nohup containerd >/var/log/containerd.log 2>&1 &
    for _ in $(seq 1 50); do
      ctr --address /run/containerd/containerd.sock version >/dev/null 2>&1 && break
      sleep 0.2
    done
  fi
fi

npm ci --no-audit --no-fund
npm run build
ln -sf "$root/bin/run.js" /usr/local/bin/berth
berth version
"$root/scripts/quickstart.sh"
