#!/bin/bash
# Installs the LabScan agent on a Linux machine without the .deb (any systemd distribution):
#
#   sudo ./install.sh --controller HOST:PORT --token TOKEN [--lab LAB] [--enroll HOST:PORT]
#                     [--insecure] [--jar FILE] [--root DIR]
#
# Puts the jar and JVM profile in /usr/local/share/labscan-agent, the launcher in
# /usr/local/bin, labscan-agent-setup in /usr/local/sbin, the unit in /etc/systemd/system,
# writes /etc/labscan/agent.yaml (0600: it holds the token) and enables and starts the service.
# Run it again to upgrade or re-enrol. --root DIR installs into DIR and touches no service
# (image building, tests). --token - reads the token from standard input.
set -euo pipefail

prog=${0##*/}
here=$(cd "${0%/*}" && pwd)
root=
jar=
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
    --jar) [ "$#" -ge 2 ] || die "$1 needs a value"; jar=$2; shift 2 ;;
    --root) [ "$#" -ge 2 ] || die "$1 needs a value"; root=${2%/}; shift 2 ;;
    -h|--help) sed -n '3,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

[ "$(uname -s)" = Linux ] || die "this is the Linux installer; see installers/macos or installers/windows"
[ "$(id -u)" -eq 0 ] || [ -n "$root" ] || die "run as root (sudo)"
if [ -z "$root" ] && command -v dpkg-query >/dev/null 2>&1 \
    && dpkg-query -W -f='${Status}' labscan-agent 2>/dev/null | grep -q 'install ok installed'; then
  die "the labscan-agent package is installed; use labscan-agent-setup, or remove the package first"
fi

# The release layout has the jar next to this script; a source checkout has it in agent/target.
if [ -z "$jar" ]; then
  for candidate in "$here/labscan-agent.jar" "$here/../../agent/target/labscan-agent.jar"; do
    if [ -f "$candidate" ]; then jar=$candidate; break; fi
  done
fi
if [ -z "$jar" ] || [ ! -f "$jar" ]; then
  die "no labscan-agent.jar found; pass --jar FILE"
fi

if [ -z "$root" ]; then
  java_bin=$(command -v java) || die "no java on PATH: install a Java 17+ runtime first (Debian/Ubuntu: default-jre-headless)"
  version=$("$java_bin" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p')
  [ "${version:-0}" -ge 17 ] || die "$java_bin is Java ${version:-?}; the agent needs Java 17 or newer"
  [ -d /run/systemd/system ] || die "systemd is not running here; use --root DIR to only stage the files"
fi

share=$root/usr/local/share/labscan-agent
state=$root/var/lib/labscan-agent
unit=$root/etc/systemd/system/labscan-agent.service

install -d -m 0755 "$share" "$root/usr/local/bin" "$root/usr/local/sbin" "$root/etc/systemd/system" "$root/etc/labscan"
install -d -m 0750 "$state"
install -m 0644 "$jar" "$share/labscan-agent.jar"
install -m 0644 "$here/../unix/agent.jvm.options" "$share/jvm.options"
install -m 0755 "$here/../unix/labscan-launcher" "$root/usr/local/bin/labscan-agent"
install -m 0755 "$here/labscan-agent-setup" "$root/usr/local/sbin/labscan-agent-setup"
# The packaged unit, pointed at /usr/local.
sed 's#^ExecStart=/usr/bin/labscan-agent #ExecStart=/usr/local/bin/labscan-agent #' \
  "$here/systemd/labscan-agent.service" > "$unit.tmp"
chmod 0644 "$unit.tmp"
mv -f "$unit.tmp" "$unit"

"$here/labscan-agent-setup" "${setup_args[@]}" --config "$root/etc/labscan/agent.yaml" \
  --state-dir /var/lib/labscan-agent --no-start

if [ -z "$root" ]; then
  systemctl daemon-reload
  systemctl enable --quiet labscan-agent.service
  systemctl restart labscan-agent.service
  echo "$prog: labscan-agent.service enabled and started; check it with: systemctl status labscan-agent"
else
  echo "$prog: staged under $root (no service started)"
fi
