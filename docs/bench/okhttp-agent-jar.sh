#!/bin/bash
# Builds the OkHttp-transport experiment of the agent (docs/PERFORMANCE.md, section 1, "Levers"):
# agent/target/labscan-agent.jar with gRPC's shaded Netty removed and grpc-okhttp in its place
# (GrpcChannels/TransportThreads from docs/bench/okhttp/). Maven Central serves grpc-okhttp only up
# to 1.75.0 here (not 1.83-1.85), and grpc-okhttp must match grpc-core exactly (1.75's transport
# calls a KeepAliveManager constructor 1.85 no longer has: "Panic! This is a bug!"), so the jar
# also carries grpc-api/core/util/context 1.75.0. A measurement only: not a product build.
# docs/bench/okhttp/*.java mirror the agent's GrpcChannels/TransportThreads as measured (before the
# controller-failover merge, which added Target-based channels and keepalive/connect-timeout
# constants): port those before building against a newer tree, or check out the measured commit.
#
# Usage: docs/bench/okhttp-agent-jar.sh [OUT_DIR=/tmp/okhttp-exp]   (jar: OUT_DIR/labscan-agent-okhttp.jar)
# Needs in ~/.m2 (once: mvnw dependency:get -Dartifact=io.grpc:grpc-okhttp:1.75.0, and the same
# for io.grpc:grpc-core:1.75.0): grpc-okhttp, grpc-api, grpc-core, grpc-util, grpc-context 1.75.0,
# okio-jvm 3.4.0, kotlin-stdlib 1.9.10.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-/tmp/okhttp-exp}
m=~/.m2/repository
g=$m/io/grpc
rm -rf "$out/classes" "$out/jar"
mkdir -p "$out/classes" "$out/jar"
javac -nowarn -d "$out/classes" -cp "$repo/agent/target/labscan-agent.jar:$g/grpc-okhttp/1.75.0/grpc-okhttp-1.75.0.jar" \
  "$repo"/docs/bench/okhttp/*.java
cd "$out/jar"
unzip -q "$repo/agent/target/labscan-agent.jar"
rm -rf io/grpc/netty META-INF/services/reactor.blockhound.integration.BlockHoundIntegration
for j in "$g/grpc-okhttp/1.75.0/grpc-okhttp-1.75.0.jar" "$m/com/squareup/okio/okio-jvm/3.4.0/okio-jvm-3.4.0.jar" \
  "$m/org/jetbrains/kotlin/kotlin-stdlib/1.9.10/kotlin-stdlib-1.9.10.jar"; do
  unzip -qo "$j" -x 'META-INF/MANIFEST.MF'
done
for a in grpc-api grpc-core grpc-util grpc-context; do
  unzip -qo "$g/$a/1.75.0/$a-1.75.0.jar" -x 'META-INF/MANIFEST.MF' 'META-INF/services/*'
done
echo io.grpc.internal.DnsNameResolverProvider >META-INF/services/io.grpc.NameResolverProvider
cp "$out"/classes/io/labscan/agent/transport/*.class io/labscan/agent/transport/
rm -f ../labscan-agent-okhttp.jar
zip -qr ../labscan-agent-okhttp.jar .
ls -l "$out/labscan-agent-okhttp.jar"
