#!/bin/bash
# Agent footprint, side by side: one controller on loopback and one agent daemon (`run`, mutual
# TLS, the policy defaults: heartbeats every 60 s, egress sampling every 250 ms, the change
# journal when root) per VARIANT, all running at the same time, so every lever is measured in the
# same window against today's build under the same load. Extends agent-footprint.sh (one agent).
#
# Usage: docs/bench/agent-footprint-levers.sh VARIANTS_FILE [WINDOW_S=300] [WARMUP_S=60] [OUT_DIR]
#
# VARIANTS_FILE: one variant a line, fields separated by '|' (empty field = default):
#   name | java binary | agent jar | jvm.options file | env (VAR=value ...) | JVM flags | prep flags
# defaults: java on PATH, agent/target/labscan-agent.jar, installers/unix/agent.jvm.options
# ("git:REV" takes installers/unix/agent.jvm.options and the launcher as of commit REV: the agent as
# installed then, e.g. git:d2bfb64 for the build before issue 21; otherwise this tree's launcher).
# JVM flags are appended after jvm.options (LABSCAN_JAVA_OPTS, as an operator would).
# '@STATE@' in env/flags is replaced by the variant's state folder.
# Every agent is started twice, with the real launcher (installers/unix/labscan-launcher) and its
# own state folder: a preparation start (enrols; stopped 20 s after every agent applied its policy,
# or after PREP_S seconds, default 180; with the "prep flags"
# instead of the JVM flags when given, e.g. -XX:ArchiveClassesAtExit=@STATE@/a.jsa), stopped with
# SIGTERM, then the measured start
# (as a service after a reboot: enrolled, and a JDK 19+ launcher's class-data archive exists).
#
# Per variant, over the window after the warm-up: VmRSS / RssAnon / RssFile from /proc/PID/status
# every 5 s (median, max), utime+stime from /proc/PID/stat, threads; at the end classes loaded
# (jcmd VM.classloader_stats with the variant's own jcmd). LABSCAN_NMT=1 adds
# -XX:NativeMemoryTracking=summary to every variant and saves jcmd VM.native_memory summary.
# CLASS_LOG=1 adds -Xlog:class+load to every variant (classes per package in classes-by-lib.txt).
# BURST=N: from halfway through the window, every 20 s a round of N SMTP sessions of 300 ms in a
# 3 s spread (agent/src/test/resources/.../bench/smtp_sessions.py: a listener on 127.0.0.1:25 and
# a mailer, in this network namespace; port 25 must be free). CPU is then also given for each
# half: idle (cpu_idle_%) and with the bursts (cpu_burst_%). Loopback is outside the default
# policy's watch, so the agents see the connections open (the sampler reads the table again) but
# report nothing: this measures the sampler's work in a burst, not attribution.
#
# Needs: a built tree (./mvnw -B -o -pl proto,agent,controller package -DskipTests), java 17+,
# root for the change journal and full socket attribution (as the service runs).
set -euo pipefail

variants_file=${1:?usage: $0 VARIANTS_FILE [WINDOW_S] [WARMUP_S] [OUT_DIR]}
window=${2:-300}
warmup=${3:-60}
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${4:-$(mktemp -d /tmp/labscan-levers.XXXXXX)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
port=${BENCH_PORT:-17443}
prep=${PREP_S:-180}
hz=$(getconf CLK_TCK)

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }

names=() ; declare -A v_java v_jar v_opts v_env v_flags v_prep
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%%#*}
  [ -z "$(trim "$line")" ] && continue
  IFS='|' read -r n j jar opts env flags prepflags <<<"$line"
  n=$(trim "$n")
  names+=("$n")
  v_java[$n]=$(trim "${j:-}"); v_jar[$n]=$(trim "${jar:-}"); v_opts[$n]=$(trim "${opts:-}")
  v_env[$n]=$(trim "${env:-}"); v_flags[$n]=$(trim "${flags:-}"); v_prep[$n]=$(trim "${prepflags:-}")
done <"$variants_file"
[ "${#names[@]}" -gt 0 ] || { echo "no variants in $variants_file" >&2; exit 2; }

# The controller, installed as a package would install it.
chome=$out/share/labscan-controller
mkdir -p "$chome" "$out/bin"
ln -sf "$repo/controller/target/labscan-controller.jar" "$chome/labscan-controller.jar"
ln -sf "$repo/installers/unix/controller.jvm.options" "$chome/jvm.options"
ln -sf "$repo/installers/unix/labscan-launcher" "$out/bin/labscan-controller"

declare -A pid
cleanup() {
  for n in "${!pid[@]}"; do kill "${pid[$n]}" 2>/dev/null || true; done
  if [ -n "${controller_pid:-}" ]; then kill "$controller_pid" 2>/dev/null || true; fi
  if [ -n "${burst_pid:-}" ]; then kill "$burst_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
trap cleanup EXIT

LABSCAN_STATE_DIR=$out/controller-state LABSCAN_JAVA_OPTS='' "$out/bin/labscan-controller" enroll-token \
  --db "$out/controller/labscan.db" --uses $(( 3 * ${#names[@]} )) >"$out/token.txt" 2>"$out/enroll-token.err"
LABSCAN_STATE_DIR=$out/controller-state LABSCAN_JAVA_OPTS='' "$out/bin/labscan-controller" serve \
  --db "$out/controller/labscan.db" --bind 127.0.0.1 --grpc-port "$port" --enroll-port $((port + 1)) \
  --http-port $((port + 2)) >"$out/controller.out" 2>"$out/controller.err" &
controller_pid=$!
for _ in $(seq 1 120); do
  (exec 3<>/dev/tcp/127.0.0.1/$((port + 1))) 2>/dev/null && break
  sleep 0.5
done

# One installed agent per variant: its own LABSCAN_HOME (jar + jvm.options), launcher and state.
for n in "${names[@]}"; do
  d=$out/$n
  mkdir -p "$d/share/labscan-agent" "$d/bin" "$d/state"
  ln -sf "$(readlink -f "${v_jar[$n]:-$repo/agent/target/labscan-agent.jar}")" "$d/share/labscan-agent/labscan-agent.jar"
  case "${v_opts[$n]}" in
    git:*) git -C "$repo" show "${v_opts[$n]#git:}:installers/unix/agent.jvm.options" >"$d/share/labscan-agent/jvm.options" ;;
    *) cp "${v_opts[$n]:-$repo/installers/unix/agent.jvm.options}" "$d/share/labscan-agent/jvm.options" ;;
  esac
  case "${v_opts[$n]}" in
    git:*) git -C "$repo" show "${v_opts[$n]#git:}:installers/unix/labscan-launcher" >"$d/bin/labscan-agent"
      chmod +x "$d/bin/labscan-agent" ;;
    *) ln -sf "$repo/installers/unix/labscan-launcher" "$d/bin/labscan-agent" ;;
  esac
  cat >"$d/agent.yaml" <<EOF
controller: 127.0.0.1:$port
enroll: 127.0.0.1:$((port + 1))
token: $(cat "$out/token.txt")
stateDir: $d/state
lab: bench
${AGENT_SCAN_ROOT:+scanRoot: $AGENT_SCAN_ROOT}
EOF
done

start_agent() { # name phase(prep|run)
  local n=$1 phase=$2 d=$out/$1 java env flags
  java=${v_java[$n]:-$(command -v java)}
  env=${v_env[$n]//@STATE@/$d/state}
  flags=${v_flags[$n]}
  [ "$phase" = prep ] && [ -n "${v_prep[$n]}" ] && flags=${v_prep[$n]}
  flags=${flags//@STATE@/$d/state}
  [ -n "${LABSCAN_NMT:-}" ] && flags="$flags -XX:NativeMemoryTracking=summary"
  [ -n "${CLASS_LOG:-}" ] && [ "$phase" = run ] && flags="$flags -Xlog:class+load=info:file=$d/class-load.log"
  # shellcheck disable=SC2086
  env $env LABSCAN_JAVA="$java" LABSCAN_STATE_DIR="$d/state" LABSCAN_JAVA_OPTS="$flags" \
    "$d/bin/labscan-agent" run --config "$d/agent.yaml" >"$d/$phase.out" 2>"$d/$phase.err" &
  pid[$n]=$!
}

echo "preparation start (until each applied its policy, at most ${prep}s, then 20s): ${names[*]}; output in $out" >&2
for n in "${names[@]}"; do start_agent "$n" prep; sleep 1; done
prep_end=$(( $(date +%s) + prep ))
for n in "${names[@]}"; do
  until grep -q "Policy version" "$out/$n/prep.err" 2>/dev/null || [ "$(date +%s)" -ge "$prep_end" ]; do sleep 2; done
done
sleep 20
for n in "${names[@]}"; do kill -TERM "${pid[$n]}" 2>/dev/null || true; done
for n in "${names[@]}"; do wait "${pid[$n]}" 2>/dev/null || true; done
pid=()

echo "measured start: warm-up ${warmup}s, window ${window}s" >&2
for n in "${names[@]}"; do start_agent "$n" run; sleep 1; done
for n in "${names[@]}"; do tr '\0' ' ' <"/proc/${pid[$n]}/cmdline" >"$out/$n/cmdline.txt"; done
sleep "$warmup"

echo "load at start: $(uptime)" | tee "$out/uptime-start.txt" >&2
declare -A c0 cmid
for n in "${names[@]}"; do
  c0[$n]=$(awk '{print $14 + $15}' "/proc/${pid[$n]}/stat" 2>/dev/null || echo 0)
  : >"$out/$n/rss.txt"
done
t0=$(date +%s.%N)
end=$(( $(date +%s) + window ))
burst_at=$(( $(date +%s) + window / 2 ))
while [ "$(date +%s)" -lt "$end" ]; do
  for n in "${names[@]}"; do
    [ -r "/proc/${pid[$n]}/status" ] || continue # ended: reported below
    awk '/^(VmRSS|RssAnon|RssFile):/ {printf "%s ", $2} END {print ""}' "/proc/${pid[$n]}/status" >>"$out/$n/rss.txt" || true
  done
  if [ -z "${tmid:-}" ] && [ "$(date +%s)" -ge "$burst_at" ]; then
    tmid=$(date +%s.%N)
    for n in "${names[@]}"; do cmid[$n]=$(awk '{print $14 + $15}' "/proc/${pid[$n]}/stat" 2>/dev/null || echo 0); done
    if [ -n "${BURST:-}" ]; then
      ( for _ in $(seq 1 $(( (window / 2) / 20 ))); do echo "300 $BURST server 3000"; sleep 20; done; echo quit ) \
        | python3 "$repo/agent/src/test/resources/io/labscan/agent/bench/smtp_sessions.py" both \
        >"$out/burst.txt" 2>&1 &
      burst_pid=$!
    fi
  fi
  sleep 5
done
t1=$(date +%s.%N)
echo "load at end: $(uptime)" | tee "$out/uptime-end.txt" >&2

printf '%-14s %8s %8s %8s %8s %8s %8s %8s %6s %8s\n' variant rss_med anon_med file_med rss_max cpu_% \
  cpu_1st cpu_2nd threads classes \
  | tee "$out/result.txt"
for n in "${names[@]}"; do
  p=${pid[$n]} d=$out/$n
  if [ ! -r "/proc/$p/stat" ]; then echo "$n: ended during the run (see $d/run.err)" | tee -a "$out/result.txt"; continue; fi
  java=${v_java[$n]:-$(command -v java)}
  jcmd=$(dirname "$(readlink -f "$java")")/jcmd
  c1=$(awk '{print $14 + $15}' "/proc/$p/stat")
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$p/status")
  "$jcmd" "$p" VM.classloader_stats >"$d/classloader-stats.txt" 2>&1 || true
  [ -n "${LABSCAN_NMT:-}" ] && { "$jcmd" "$p" VM.native_memory summary >"$d/nmt.txt" 2>&1 || true; }
  # Total row of VM.classloader_stats: "Total = N  CLASSES  CHUNKSZ  BLOCKSZ".
  classes=$(awk '/^Total = / {print $4}' "$d/classloader-stats.txt")
  awk -v hz="$hz" -v c0="${c0[$n]}" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v name="$n" \
    -v cm="${cmid[$n]}" -v tm="$tmid" \
    -v threads="$threads" -v classes="${classes:-?}" '
    function med(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
    NF >= 3 { k++; r[k] = $1; an[k] = $2; fi[k] = $3; if ($1 > mx) mx = $1 }
    END {
      printf "%-14s %8.1f %8.1f %8.1f %8.1f %8.3f %8.3f %8.3f %6d %8s\n", name, med(r, k) / 1024, med(an, k) / 1024,
        med(fi, k) / 1024, mx / 1024, 100 * (c1 - c0) / hz / (t1 - t0), 100 * (cm - c0) / hz / (tm - t0),
        100 * (c1 - cm) / hz / (t1 - tm), threads, classes
    }' "$d/rss.txt" | tee -a "$out/result.txt"
done
echo "(MiB; cpu_% = utime+stime in the window as % of one core, cpu_1st/cpu_2nd its first and second half (the" \
  "bursts, if BURST, in the second); classes: loaded at the end, jcmd VM.classloader_stats)" \
  | tee -a "$out/result.txt"
if [ -n "${CLASS_LOG:-}" ]; then
  for n in "${names[@]}"; do
    [ -f "$out/$n/class-load.log" ] || continue
    # Classes by library (package prefix), from the JVM's class+load log of the measured start.
    sed -n 's/^\[[^]]*\]\[[^]]*\]\[class,load\] \([^ ]*\) source: .*/\1/p; s/^\[info\]\[class,load\] \([^ ]*\) source: .*/\1/p' \
      "$out/$n/class-load.log" | awk '{
        c = $1; lib = "other"
        if (c ~ /^io\.grpc\.netty\.shaded\./) lib = "netty (shaded)"
        else if (c ~ /^io\.grpc\./) lib = "grpc"
        else if (c ~ /^com\.google\.protobuf\./) lib = "protobuf"
        else if (c ~ /^com\.google\./) lib = "guava/gson/other google"
        else if (c ~ /^io\.labscan\.contract\./ || c ~ /^io\.labscan\.proto\./ || c ~ /^io\.labscan\.v1\./) lib = "labscan contract"
        else if (c ~ /^io\.labscan\./) lib = "labscan agent"
        else if (c ~ /^org\.quartz\./) lib = "quartz"
        else if (c ~ /^com\.fasterxml\./) lib = "jackson"
        else if (c ~ /^ch\.qos\.logback\./) lib = "logback"
        else if (c ~ /^org\.slf4j\./) lib = "slf4j"
        else if (c ~ /^oshi\./) lib = "oshi"
        else if (c ~ /^com\.sun\.jna\./) lib = "jna"
        else if (c ~ /^org\.sqlite\./) lib = "sqlite-jdbc"
        else if (c ~ /^picocli\./) lib = "picocli"
        else if (c ~ /^org\.yaml\./) lib = "snakeyaml"
        else if (c ~ /^org\.bouncycastle\./) lib = "bouncycastle"
        else if (c ~ /^okio\.|^okhttp3\.|^com\.squareup\./) lib = "okhttp/okio"
        else if (c ~ /^(sun\.security|javax\.net|javax\.security|java\.security|com\.sun\.crypto)\./) lib = "JDK security/TLS"
        else if (c ~ /^(java|javax|jdk|sun|com\.sun)\./) lib = "JDK other"
        n[lib]++; t++ }
        END { for (l in n) printf "%6d  %s\n", n[l], l; printf "%6d  total\n", t }' | sort -rn >"$out/$n/classes-by-lib.txt"
  done
fi
