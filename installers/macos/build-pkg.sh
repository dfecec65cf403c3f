#!/bin/bash
# Builds LabScanAgent.pkg with Apple's pkgbuild (macOS only; cannot run on the Linux CI):
#
#   ./build-pkg.sh [--jar FILE] [--version X.Y.Z] [--sign "Developer ID Installer: ..."]
#
# The payload lands in /usr/local/share/labscan-agent/dist; scripts/postinstall puts the files
# in place and loads the launchd daemon (once agent.yaml names a controller). Enrol afterwards,
# e.g. from an MDM script: sudo labscan-agent-setup --controller HOST:PORT --token TOKEN
set -euo pipefail

here=$(cd "${0%/*}" && pwd)
jar=$here/../../agent/target/labscan-agent.jar
version=0.1.0
sign=

while [ "$#" -gt 0 ]; do
  case "$1" in
    --jar) jar=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --sign) sign=$2; shift 2 ;;
    *) echo "build-pkg.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

command -v pkgbuild >/dev/null 2>&1 || { echo "build-pkg.sh: pkgbuild not found (macOS only)" >&2; exit 2; }
[ -f "$jar" ] || { echo "build-pkg.sh: $jar not found; build the agent first" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
payload=$work/root/usr/local/share/labscan-agent/dist
mkdir -p "$payload" "$work/scripts"
cp "$jar" "$payload/labscan-agent.jar"
cp "$here/io.labscan.agent.plist" "$here/install-files.sh" "$payload/"
cp "$here/../unix/agent.jvm.options" "$here/../unix/labscan-launcher" "$here/../linux/labscan-agent-setup" "$payload/"
cp "$here/scripts/preinstall" "$here/scripts/postinstall" "$work/scripts/"
chmod 0755 "$work/scripts/preinstall" "$work/scripts/postinstall" "$payload/labscan-launcher" "$payload/labscan-agent-setup"

args=(--root "$work/root" --scripts "$work/scripts" --identifier io.labscan.agent
  --version "$version" --install-location / --ownership recommended)
if [ -n "$sign" ]; then
  args+=(--sign "$sign")
fi
pkgbuild "${args[@]}" "$here/LabScanAgent-$version.pkg"
echo "build-pkg.sh: wrote $here/LabScanAgent-$version.pkg"
