#!/bin/bash
# Installs the LabScan agent on macOS as a launchd daemon (starts at boot, before login):
#
#   sudo ./install.sh --controller HOST:PORT --token TOKEN [--lab LAB] [--enroll HOST:PORT]
#                     [--insecure] [--jar FILE]
#
# Needs a Java 17+ runtime that /usr/bin/java finds (e.g. a Temurin or Zulu .pkg).
# Files: /usr/local/share/labscan-agent/ (jar, jvm.options), /usr/local/bin/labscan-agent,
# /usr/local/sbin/labscan-agent-setup, /Library/LaunchDaemons/io.labscan.agent.plist,
# /Library/Application Support/LabScan/ (agent.yaml 0600, agent/ state), /Library/Logs/LabScan/.
set -euo pipefail

prog=${0##*/}
here=$(cd "${0%/*}" && pwd)
jar_source=
setup_args=()

die() {
  printf '%s: %s\n' "$prog" "$1" >&2
  exit 2
}

while [ "$#" -gt 0 ]; do
  case "$1" in
    --controller|--token|--lab|--enroll)
      [ "$#" -ge 2 ] || die "$1 needs a value"
      setup_args+=("$1" "$2"); shift 2 ;;
    --insecure) setup_args+=("$1"); shift ;;
    --jar) [ "$#" -ge 2 ] || die "$1 needs a value"; jar_source=$2; shift 2 ;;
    -h|--help) sed -n '3,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

[ "$(uname -s)" = Darwin ] || die "this is the macOS installer; see installers/linux or installers/windows"
[ "$(id -u)" -eq 0 ] || die "run as root (sudo)"
/usr/bin/java -version >/dev/null 2>&1 || die "no Java runtime: install a Java 17+ JDK or JRE first"

if [ -z "$jar_source" ]; then
  for candidate in "$here/labscan-agent.jar" "$here/../../agent/target/labscan-agent.jar"; do
    if [ -f "$candidate" ]; then jar_source=$candidate; break; fi
  done
fi
if [ -z "$jar_source" ] || [ ! -f "$jar_source" ]; then
  die "no labscan-agent.jar found; pass --jar FILE"
fi

# The shared files live next to the Linux ones in a source checkout.
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp "$here/io.labscan.agent.plist" "$here/install-files.sh" "$staging/"
cp "$here/../unix/agent.jvm.options" "$here/../unix/labscan-launcher" "$here/../linux/labscan-agent-setup" "$staging/"
here=$staging

# shellcheck source-path=SCRIPTDIR source=install-files.sh
. "$here/install-files.sh"

install_layout
tune_class_data_sharing
"$here/labscan-agent-setup" "${setup_args[@]}" --config "$config" --state-dir "$state" --no-start
restart_daemon
echo "$prog: io.labscan.agent loaded; it starts at every boot. Log: $logs/agent.log"
