# shellcheck shell=bash
# Shared by install.sh and the .pkg's postinstall, which source it (it is not run by itself).
# The caller sets $here (folder with the files to install) and $jar_source (labscan-agent.jar);
# $config is for the caller.
# shellcheck disable=SC2034,SC2154

plist=/Library/LaunchDaemons/io.labscan.agent.plist
share=/usr/local/share/labscan-agent
state="/Library/Application Support/LabScan/agent"
config="/Library/Application Support/LabScan/agent.yaml"
logs=/Library/Logs/LabScan

# Folders: program files world-readable, state and config root-only (the config holds the token).
install_layout() {
  install -d -m 0755 -o root -g wheel "$share" /usr/local/bin /usr/local/sbin "$logs"
  install -d -m 0700 -o root -g wheel "/Library/Application Support/LabScan"
  install -d -m 0750 -o root -g wheel "$state"
  install -m 0644 -o root -g wheel "$jar_source" "$share/labscan-agent.jar"
  install -m 0644 -o root -g wheel "$here/agent.jvm.options" "$share/jvm.options"
  install -m 0755 -o root -g wheel "$here/labscan-launcher" /usr/local/bin/labscan-agent
  install -m 0755 -o root -g wheel "$here/labscan-agent-setup" /usr/local/sbin/labscan-agent-setup
  install -m 0644 -o root -g wheel "$here/io.labscan.agent.plist" "$plist"
}

# JDK 19+ keeps an auto-created class-data archive in the state folder (see agent.jvm.options);
# JDK 17 keeps -Xshare:auto. PlistBuddy edits the installed plist in place.
tune_class_data_sharing() {
  local version
  version=$(/usr/bin/java -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p')
  if [ "${version:-0}" -ge 19 ]; then
    local index
    index=$(/usr/libexec/PlistBuddy -c 'Print :ProgramArguments' "$plist" | grep -n -- '-Xshare:auto' | cut -d: -f1)
    # PlistBuddy prints "Array {" first, so line N is element N-2.
    index=$((index - 2))
    /usr/libexec/PlistBuddy -c "Set :ProgramArguments:$index -XX:SharedArchiveFile=$state/agent.jsa" \
      -c "Add :ProgramArguments:$((index + 1)) string -XX:+AutoCreateSharedArchive" "$plist"
  fi
}

# True when agent.yaml names a controller; an unconfigured agent would only exit and be relaunched.
configured() {
  grep -Eq '^[[:space:]]*controller:[[:space:]]*[^[:space:]#]' "$config" 2>/dev/null
}

# (Re)load the daemon so it runs the new files now and at every boot.
restart_daemon() {
  launchctl bootout system "$plist" 2>/dev/null || true
  launchctl bootstrap system "$plist"
  launchctl enable system/io.labscan.agent
}
