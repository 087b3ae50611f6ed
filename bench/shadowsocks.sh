#!/usr/bin/env bash
# Shadowsocks throughput, one run: iperf3 through Umbra client + Umbra server, Umbra client +
# ss-server, ss-local (ss-tunnel) + ss-server and v2ray client + v2ray server, per AEAD cipher, plus
# SS2022 for Umbra alone. Gbit/s and Gbit/s per proxy CPU core (CPU of the proxy processes from
# /proc/PID/stat). Usage: bench/shadowsocks.sh [--quick]   (results: bench/results/shadowsocks.json)
# Needs: iperf3 shadowsocks-libev v2ray (Debian packages). Everything binds 127.0.0.1.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
"$ROOT/umbra" version >/dev/null   # builds Umbra on first use
exec python3 "$ROOT/bench/shadowsocks.py" "$@"
