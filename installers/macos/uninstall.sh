#!/bin/bash
# Removes the LabScan agent from macOS:
#
#   sudo ./uninstall.sh [--purge]
#
# Keeps /Library/Application Support/LabScan (agent.yaml, host identity, undelivered reports)
# and the logs unless --purge is given.
set -euo pipefail

prog=${0##*/}
purge=false
case "${1:-}" in
  --purge) purge=true ;;
  '') ;;
  *) printf '%s: unknown option %s\n' "$prog" "$1" >&2; exit 2 ;;
esac

[ "$(id -u)" -eq 0 ] || { echo "$prog: run as root (sudo)" >&2; exit 2; }

plist=/Library/LaunchDaemons/io.labscan.agent.plist
launchctl bootout system "$plist" 2>/dev/null || true
rm -f "$plist" /usr/local/bin/labscan-agent /usr/local/sbin/labscan-agent-setup
rm -rf /usr/local/share/labscan-agent
pkgutil --forget io.labscan.agent >/dev/null 2>&1 || true

if [ "$purge" = true ]; then
  rm -rf "/Library/Application Support/LabScan" /Library/Logs/LabScan
  echo "$prog: removed the agent, its configuration, state and logs"
else
  echo "$prog: removed the agent; kept /Library/Application Support/LabScan (--purge deletes it)"
fi
