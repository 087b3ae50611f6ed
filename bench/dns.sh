#!/usr/bin/env bash
# DNS benchmark: Umbra vs dnsmasq vs unbound as forwarding caches in front of the same upstream
# (a dnsmasq answering *.bench.test), in one run, all loaded by the same client (dnsperf).
# Queries/s, server CPU per query, and p50/p99 latency at a fixed rate, cached and uncached.
# Usage: bench/dns.sh [--quick]   (results: bench/results/dns-latest.json and a table)
# Needs: dnsmasq unbound dnsperf (Debian packages; dnsperf is installed here when missing).
# Everything binds 127.0.0.1 on free ports.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
if ! command -v dnsperf >/dev/null; then
  echo "dns.sh: installing dnsperf (the load generator)" >&2
  apt-get install -y dnsperf >/dev/null || { apt-get update >/dev/null && apt-get install -y dnsperf >/dev/null; }
fi
"$ROOT/umbra" version >/dev/null   # builds Umbra on first use
exec python3 "$ROOT/bench/dns_bench.py" "$@"
