#!/usr/bin/env bash
# Tor client side by side, one run (~3-5 min): testkit starts a private network of Debian's C tor
# on 127.0.0.1 (3 authorities, 5 relays); then a fresh C tor client and a fresh Umbra TorClient are
# measured on it one after the other: bootstrap, 3-hop circuit build p50/p90 over N circuits, and
# R rounds of one M MiB download through an exit, the two clients alternating (CPU seconds of each
# download reported too). Conflux (prop 329) can be switched off on either client (0) to compare
# single circuits. Prints a markdown table with Umbra/C tor ratios.
# Usage: bench/tor.sh [N=50] [MiB=50] [R=3] [ctor-conflux=1] [umbra-conflux=1]
# Needs: tor (Debian), curl.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
# package (no tests) so that the reactor's jars exist, and write the tor module's test classpath
./mvnw -B -o -q -pl tor -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
CP="$(cat "$CP_FILE"):tor/target/test-classes:tor/target/classes"
exec "$JAVA_HOME/bin/java" -cp "$CP" dev.umbra.tor.TorSideBySide "${1:-50}" "${2:-50}" "${3:-3}" "${4:-1}" "${5:-1}"
