#!/usr/bin/env bash
# DNS benchmark: Umbra vs dnsmasq vs unbound as forwarding caches in front of the same upstream
# (a dnsmasq answering *.bench.test), in one run. Queries/s and p50/p99 latency, cached and
# uncached. Usage: bench/dns.sh [--quick]   (results: bench/results/dns-latest.json and a table)
# Needs: dnsmasq unbound (Debian packages). Everything binds 127.0.0.1 on free ports.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
"$ROOT/umbra" version >/dev/null   # builds Umbra on first use
exec python3 "$ROOT/bench/dns_bench.py" "$@"
