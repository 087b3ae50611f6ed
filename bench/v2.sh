#!/usr/bin/env bash
# VMess / VLESS / Trojan throughput, one run: iperf3 through Umbra client + Umbra server, v2ray
# client + v2ray server, and the mixed pairs (Umbra client + v2ray server, v2ray client + Umbra
# server) for vmess aes-128-gcm over tcp, vless over TLS, trojan over TLS and vmess over ws+TLS.
# Gbit/s and proxy CPU. Usage: bench/v2.sh [--quick]   (results: bench/results/v2.json)
# Needs: iperf3 v2ray openssl (Debian packages). Everything binds 127.0.0.1.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
"$ROOT/umbra" version >/dev/null   # builds Umbra on first use
exec python3 "$ROOT/bench/v2.py" "$@"
