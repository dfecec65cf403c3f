#!/bin/bash
# Agent footprint: the packaged agent (agent/target/labscan-agent.jar) started by the real
# launcher with the installers' JVM profile (installers/unix/agent.jvm.options), enrolled over
# mutual TLS with a controller on loopback, running `run` (heartbeats every 60 s, egress
# sampling every 250 ms: the policy defaults). Samples VmRSS from /proc/PID/status and
# utime+stime from /proc/PID/stat over the window, after a warm-up.
#
# Usage: docs/bench/agent-footprint.sh [WINDOW_SECONDS=600] [WARMUP_SECONDS=60] [OUT_DIR]
# Needs: a built tree (./mvnw -B -o -pl proto,agent,controller package -DskipTests), java 17+.
# Ports BENCH_PORT, +1 (gRPC, enrolment) and +2 (HTTP) on 127.0.0.1 must be free (default 17443).
# LABSCAN_JAVA_OPTS adds agent JVM flags (as with the launcher); AGENT_ENV adds environment
# variables for the agent only (e.g. AGENT_ENV="MALLOC_ARENA_MAX=2"); LABSCAN_NMT=1 saves a
# native-memory summary at the end (pass -XX:NativeMemoryTracking=summary in LABSCAN_JAVA_OPTS).
# AGENT_SCAN_ROOT sets the agent's scanRoot (default: the agent's default, /). SCAN_NOW=1 asks
# the agent for a full scan (labscan-controller scan-now) right after it starts: the scan runs
# in a worker JVM, so the window then shows the daemon after a scan (use a small AGENT_SCAN_ROOT).
set -euo pipefail

window=${1:-600}
warmup=${2:-60}
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${3:-$(mktemp -d /tmp/labscan-footprint.XXXXXX)}
mkdir -p "$out"
port=${BENCH_PORT:-17443}
hz=$(getconf CLK_TCK)
page_kib=$(( $(getconf PAGESIZE) / 1024 ))

# The launcher installed as a package would install it: LABSCAN_HOME holds the jar and jvm.options.
for prog in agent controller; do
  home=$out/share/labscan-$prog
  mkdir -p "$home" "$out/bin"
  ln -sf "$repo/$prog/target/labscan-$prog.jar" "$home/labscan-$prog.jar"
  ln -sf "$repo/installers/unix/$prog.jvm.options" "$home/jvm.options"
  ln -sf "$repo/installers/unix/labscan-launcher" "$out/bin/labscan-$prog"
done

cleanup() {
  [ -n "${agent_pid:-}" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "${controller_pid:-}" ] && kill "$controller_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

LABSCAN_STATE_DIR=$out/controller-state LABSCAN_JAVA_OPTS= "$out/bin/labscan-controller" enroll-token --db "$out/controller/labscan.db" --uses 1 \
  >"$out/token.txt" 2>"$out/enroll-token.err"
LABSCAN_STATE_DIR=$out/controller-state LABSCAN_JAVA_OPTS= "$out/bin/labscan-controller" serve --db "$out/controller/labscan.db" \
  --bind 127.0.0.1 --grpc-port "$port" --enroll-port $((port + 1)) --http-port $((port + 2)) \
  >"$out/controller.out" 2>"$out/controller.err" &
controller_pid=$!
for _ in $(seq 1 120); do
  (exec 3<>/dev/tcp/127.0.0.1/$((port + 1))) 2>/dev/null && break
  sleep 0.5
done

cat >"$out/agent.yaml" <<EOF
controller: 127.0.0.1:$port
enroll: 127.0.0.1:$((port + 1))
token: $(cat "$out/token.txt")
stateDir: $out/agent-state
lab: bench
${AGENT_SCAN_ROOT:+scanRoot: $AGENT_SCAN_ROOT}
EOF
# shellcheck disable=SC2086
env ${AGENT_ENV:-} LABSCAN_STATE_DIR=$out/agent-state "$out/bin/labscan-agent" run --config "$out/agent.yaml" \
  >"$out/agent.out" 2>"$out/agent.err" &
launcher_pid=$!
sleep 2
# The launcher execs java (env too): same pid.
agent_pid=$launcher_pid
tr '\0' ' ' <"/proc/$agent_pid/cmdline" >"$out/agent-cmdline.txt"
echo "agent pid $agent_pid; warm-up ${warmup}s, window ${window}s; output in $out" >&2
echo "load at start: $(uptime)" | tee "$out/uptime-start.txt" >&2
if [ -n "${SCAN_NOW:-}" ]; then
  # The agent must be enrolled (known to the controller) before a scan can be asked of it.
  for _ in $(seq 1 60); do
    grep -q "Policy version" "$out/agent.err" 2>/dev/null && break
    sleep 1
  done
  LABSCAN_STATE_DIR=$out/controller-state LABSCAN_JAVA_OPTS= "$out/bin/labscan-controller" scan-now \
    --db "$out/controller/labscan.db" >"$out/scan-now.out" 2>&1 || true
fi
sleep "$warmup"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$agent_pid/stat"; }
# Per thread: name and utime+stime (the name may hold spaces: it is between the parentheses).
thread_ticks() {
  for t in /proc/"$agent_pid"/task/*; do
    sed -E 's/^[0-9]+ \((.*)\) [A-Za-z] (.*)$/\1|\2/' "$t/stat" | awk -F'|' '{split($2, f, " "); print $1 "|" f[12] + f[13]}'
  done | sort
}
thread_ticks >"$out/threads-start.txt"
t0=$(date +%s.%N); c0=$(cpu_ticks)
: >"$out/rss-kib.txt"
end=$(( $(date +%s) + window ))
while [ "$(date +%s)" -lt "$end" ]; do
  awk '/^VmRSS:/ {print $2}' "/proc/$agent_pid/status" >>"$out/rss-kib.txt"
  awk '/^RssAnon:/ {print $2}' "/proc/$agent_pid/status" >>"$out/rss-anon-kib.txt"
  sleep 5
done
t1=$(date +%s.%N); c1=$(cpu_ticks)
thread_ticks >"$out/threads-end.txt"
echo "load at end: $(uptime)" | tee "$out/uptime-end.txt" >&2
anon_median=$(sort -n "$out/rss-anon-kib.txt" | awk '{v[NR]=$1} END {printf "%.1f", v[int((NR + 1) / 2)] / 1024}')
file_now=$(awk '/^RssFile:/ {printf "%.1f", $2 / 1024}' "/proc/$agent_pid/status")
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$agent_pid/status")
threads=$(awk '/^Threads:/ {print $2}' "/proc/$agent_pid/status")

sort -n "$out/rss-kib.txt" | awk -v hz="$hz" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" \
  -v hwm="$hwm" -v threads="$threads" -v anon="$anon_median" -v file="$file_now" '
  { v[NR] = $1 }
  END {
    med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    cpu = (c1 - c0) / hz; wall = t1 - t0
    printf "samples=%d rss_median_mib=%.1f rss_min_mib=%.1f rss_max_mib=%.1f hwm_mib=%.1f threads=%d\n", \
      NR, med / 1024, v[1] / 1024, v[NR] / 1024, hwm / 1024, threads
    printf "rss_anon_median_mib=%s rss_file_at_end_mib=%s\n", anon, file
    printf "cpu_seconds=%.2f wall_seconds=%.1f cpu_percent_of_core=%.3f\n", cpu, wall, 100 * cpu / wall
  }' | tee "$out/result.txt"
# CPU by thread name over the window (threads of one name summed), busiest first.
awk -F'|' -v hz="$hz" 'NR == FNR { start[$1] += $2; next } { end[$1] += $2 }
  END { for (n in end) if (end[n] - start[n] > 0) printf "%8.3f s  %s\n", (end[n] - start[n]) / hz, n }' \
  "$out/threads-start.txt" "$out/threads-end.txt" | sort -rn | head -8 | tee "$out/threads-cpu.txt"
if [ -n "${SCAN_NOW:-}" ]; then
  grep -E "worker process|Scan .* (finished|failed)|Scan worker" "$out/agent.err" | tee "$out/scan-lines.txt" >&2 || true
fi
if [ -n "${LABSCAN_NMT:-}" ]; then
  jcmd "$agent_pid" VM.native_memory summary >"$out/nmt.txt" 2>&1 || true
fi
