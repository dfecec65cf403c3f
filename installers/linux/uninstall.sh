#!/bin/bash
# Removes what install.sh installed:
#
#   sudo ./uninstall.sh [--purge] [--root DIR]
#
# Keeps /etc/labscan/agent.yaml and /var/lib/labscan-agent (host identity, undelivered
# reports) unless --purge is given, like `apt remove` and `apt purge`.
set -euo pipefail

prog=${0##*/}
root=
purge=false

die() {
  printf '%s: %s\n' "$prog" "$1" >&2
  exit 2
}

while [ "$#" -gt 0 ]; do
  case "$1" in
    --purge) purge=true; shift ;;
    --root) [ "$#" -ge 2 ] || die "$1 needs a value"; root=${2%/}; shift 2 ;;
    -h|--help) sed -n '3,7s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || [ -n "$root" ] || die "run as root (sudo)"

if [ -z "$root" ] && [ -d /run/systemd/system ]; then
  systemctl disable --now --quiet labscan-agent.service 2>/dev/null || true
fi
rm -f "$root/etc/systemd/system/labscan-agent.service" \
  "$root/usr/local/bin/labscan-agent" "$root/usr/local/sbin/labscan-agent-setup"
rm -rf "$root/usr/local/share/labscan-agent"
if [ -z "$root" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
fi

# The SMTP quarantine's table must not outlive the agent (its order stays in the state folder:
# a reinstall that keeps it restores the quarantine at start).
if [ -z "$root" ] && command -v nft >/dev/null 2>&1; then
  nft delete table inet labscan_quarantine >/dev/null 2>&1 || true
fi

if [ "$purge" = true ]; then
  rm -rf "$root/var/lib/labscan-agent"
  rm -f "$root/etc/labscan/agent.yaml"
  rmdir "$root/etc/labscan" 2>/dev/null || true
  if [ -z "$root" ] && command -v nft >/dev/null 2>&1; then
    nft delete table inet labscan >/dev/null 2>&1 || true
  fi
  echo "$prog: removed the agent, its configuration and its state"
else
  echo "$prog: removed the agent; kept /etc/labscan/agent.yaml and /var/lib/labscan-agent (--purge deletes them)"
fi
