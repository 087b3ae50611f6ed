#!/usr/bin/env bash
# Side-by-side benchmark: Umbra vs v2ray vs socat vs microsocks vs raw loopback, in one run.
# Usage: bench/run.sh [--quick]      (results: bench/results/latest.json and a table on stdout)
# Needs: iperf3 wrk v2ray microsocks socat nginx (Debian packages). Everything binds 127.0.0.1.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
"$ROOT/umbra" version >/dev/null   # builds Umbra on first use
exec python3 "$ROOT/bench/bench.py" "$@"
