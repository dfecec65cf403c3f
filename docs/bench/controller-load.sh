#!/bin/bash
# Controller at scale: the packaged controller (controller/target/labscan-controller.jar)
# started by the real launcher with the installers' JVM profile
# (installers/unix/controller.jvm.options), mutual TLS on loopback, against the load
# generator io.labscan.controller.bench.ControllerLoadTest (test scope) with N agents.
#
# Usage: docs/bench/controller-load.sh AGENTS [REPORT_RATES=100,500,1000,2000,5000,10000]
#        [STEP_SECONDS=20] [HEARTBEAT_WINDOW_SECONDS=120] [OUT_DIR]
# Needs: ./mvnw -B -o -pl proto,agent,controller package -DskipTests (the jar) and the bench
# profile's test classes. Both processes need a descriptor per agent connection: the
# process limit (ulimit -n, 20,000 here) caps AGENTS below it.
set -euo pipefail

agents=$1
rates=${2:-100,500,1000,2000,5000,10000}
step=${3:-20}
hb_window=${4:-120}
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${5:-$(mktemp -d /tmp/labscan-load.XXXXXX)}
port=${BENCH_PORT:-17543}
mkdir -p "$out/bin" "$out/share/labscan-controller"
# CONTROLLER_JAR: another build of the controller (e.g. the one before a change), same profile.
ln -sf "${CONTROLLER_JAR:-$repo/controller/target/labscan-controller.jar}" \
  "$out/share/labscan-controller/labscan-controller.jar"
ln -sf "$repo/installers/unix/controller.jvm.options" "$out/share/labscan-controller/jvm.options"
ln -sf "$repo/installers/unix/labscan-launcher" "$out/bin/labscan-controller"

cleanup() {
  [ -n "${controller_pid:-}" ] && kill "$controller_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

# shellcheck disable=SC2086
LABSCAN_STATE_DIR=$out/state "$out/bin/labscan-controller" serve --db "$out/controller/labscan.db" \
  --bind 127.0.0.1 --grpc-port "$port" --enroll-port $((port + 1)) --http-port $((port + 2)) \
  >"$out/controller.out" 2>"$out/controller.err" &
controller_pid=$!
for _ in $(seq 1 240); do
  (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  sleep 0.5
done
tr '\0' ' ' <"/proc/$controller_pid/cmdline" >"$out/controller-cmdline.txt"
echo "controller pid $controller_pid, output in $out; $(uptime)" >&2

cd "$repo"
./mvnw -B -q -o -Pbench -pl controller org.codehaus.mojo:exec-maven-plugin:3.5.1:exec \
  -Dbench.jvm="${LOAD_JVM:--Xmx8g -XX:+UseParallelGC}" \
  -Dbench.main=io.labscan.controller.bench.ControllerLoadTest \
  -Dbench.args="$out/controller/labscan.db 127.0.0.1:$port $controller_pid $agents $rates $step $hb_window" \
  | tee "$out/load.txt"
echo "controller stderr (last lines):" >&2
grep -v " INFO " "$out/controller.err" | tail -n 5 >&2 || true
