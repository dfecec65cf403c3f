#!/bin/bash
# SQLite vs PostgreSQL vs two controllers on one PostgreSQL, in one run with one load generator
# (io.labscan.controller.bench.BackendComparisonLoadTest, test scope): each deployment is the
# packaged controller started by the real launcher with the installers' JVM profile, mutual TLS
# on loopback; PostgreSQL is Debian's server (postgresql-15), started in a temporary folder with
# durable commits (docs/PERFORMANCE.md, "PostgreSQL and several controllers").
#
# Usage: docs/bench/controller-load-backends.sh AGENTS [REPORT_RATES=500,1000,1500,2000,3000]
#        [STEP_SECONDS=15] [HEARTBEAT_WINDOW_SECONDS=60] [DEPLOYMENTS=sqlite,postgresql,postgresql-x2] [OUT_DIR]
# HEARTBEAT_S (default 60, the agent's period) and SERVE_FLAGS (comma-separated extra serve
# flags, e.g. --report-rate=50,--report-burst=500) let few agents stand for many. WARMUP_S
# (default 10) is the length of the uncounted warm-up step at half the first rate; 60 lets the
# controller's JIT finish compiling before the first counted step.
# Needs: ./mvnw -B -o -pl proto,agent,controller package -DskipTests (the jar) and the bench
# profile's test classes.
set -euo pipefail

agents=$1
rates=${2:-500,1000,1500,2000,3000}
step=${3:-15}
hb_window=${4:-60}
deployments=${5:-sqlite,postgresql,postgresql-x2}
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${6:-$(mktemp -d /tmp/labscan-backends.XXXXXX)}
mkdir -p "$out/bin" "$out/share/labscan-controller"
ln -sf "${CONTROLLER_JAR:-$repo/controller/target/labscan-controller.jar}" \
  "$out/share/labscan-controller/labscan-controller.jar"
ln -sf "$repo/installers/unix/controller.jvm.options" "$out/share/labscan-controller/jvm.options"
ln -sf "$repo/installers/unix/labscan-launcher" "$out/bin/labscan-controller"
echo "output in $out; $(uptime)" >&2

cd "$repo"
./mvnw -B -q -o -Pbench -pl controller org.codehaus.mojo:exec-maven-plugin:3.5.1:exec \
  -Dbench.jvm="${LOAD_JVM:--Xmx3g -XX:+UseParallelGC}" \
  -Dbench.main=io.labscan.controller.bench.BackendComparisonLoadTest \
  -Dbench.args="$out/bin/labscan-controller $out $agents $rates $step $hb_window $deployments ${HEARTBEAT_S:-60} ${SERVE_FLAGS:-}" \
  | tee "$out/load.txt"
