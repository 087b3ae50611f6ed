#!/usr/bin/env bash
# WireGuard throughput, one run: iperf3 through a tunnel between two network namespaces joined by a
# veth pair, with wireguard-go (Debian) in namespace B and, in namespace A, first wireguard-go (the
# baseline: kernel TCP on both ends) and then Umbra's `wireguard` endpoint. Umbra has no TUN, so its
# iperf3 client connects to a `direct` inbound on 127.0.0.1 in namespace A that forwards into the
# tunnel (userspace TCP in Umbra's netstack, then wireguard-go and the kernel in B). Prints Mbit/s
# both ways and Umbra's ratio to wireguard-go<->wireguard-go (goal: >= 1.0).
# Also prints the CPU cost of namespace A's tunnel process (wireguard-go, or Umbra's JVM: user +
# system time from /proc/PID/stat) per GB moved, which stays meaningful on a busy machine.
# Usage: bench/wireguard.sh [--quick]     Needs root and: wireguard-go wireguard-tools iperf3 iproute2
# UMBRA_JFR=/path/file.jfr records a JFR profile of the Umbra run (written when Umbra exits).
# All traffic stays inside the two namespaces this script creates (and deletes on exit).
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
DURATION=10
[ "${1:-}" = "--quick" ] && DURATION=4

NS_A=wgbA$$ NS_B=wgbB$$
VETH_A=vwbA$$ VETH_B=vwbB$$
IF_A=wgbA$$ IF_B=wgbB$$
UNDER_A=10.210.1.1 UNDER_B=10.210.1.2
TUN_A=10.210.2.1 TUN_B=10.210.2.2
PORT_A=51820 PORT_B=51821 FWD_PORT=15201
WORK=$(mktemp -d /tmp/umbra-wgbench.XXXXXX)
export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # a JVM recording JFR needs a moment to write the file on exit
  for _ in $(seq 1 50); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  rm -f "/var/run/wireguard/$IF_A.sock" "/var/run/wireguard/$IF_B.sock"
  rm -rf "$WORK"
}
trap cleanup EXIT

for bin in wireguard-go wg iperf3 ip; do
  command -v "$bin" >/dev/null || { echo "missing $bin (apt: wireguard-go wireguard-tools iperf3 iproute2)"; exit 1; }
done
"$ROOT/umbra" version >/dev/null # builds Umbra on first use

ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add "$VETH_A" type veth peer name "$VETH_B"
ip link set "$VETH_A" netns "$NS_A"
ip link set "$VETH_B" netns "$NS_B"
ip -n "$NS_A" addr add "$UNDER_A/24" dev "$VETH_A"
ip -n "$NS_B" addr add "$UNDER_B/24" dev "$VETH_B"
for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set lo up; done
ip -n "$NS_A" link set "$VETH_A" up
ip -n "$NS_B" link set "$VETH_B" up

umask 077
wg genkey >"$WORK/a.key"; wg pubkey <"$WORK/a.key" >"$WORK/a.pub"
wg genkey >"$WORK/b.key"; wg pubkey <"$WORK/b.key" >"$WORK/b.pub"

# wggo NS IFNAME KEY PORT ADDR PEERPUB PEER_ENDPOINT PEER_ALLOWED -> pid in $WGPID
wggo() {
  ip netns exec "$1" wireguard-go -f "$2" >"$WORK/$2.log" 2>&1 &
  WGPID=$!
  PIDS+=("$WGPID")
  for _ in $(seq 1 50); do [ -S "/var/run/wireguard/$2.sock" ] && break; sleep 0.1; done
  [ -S "/var/run/wireguard/$2.sock" ] || { echo "wireguard-go $2 did not start"; cat "$WORK/$2.log"; exit 1; }
  ip netns exec "$1" wg set "$2" private-key "$3" listen-port "$4" \
    peer "$6" endpoint "$7" allowed-ips "$8"
  ip -n "$1" addr add "$5" dev "$2"
  ip -n "$1" link set mtu 1420 up dev "$2"
}

# CPU time (user + system) of a process in clock ticks
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# iperf3 in B (one test per server), client in A: run TARGET PORT MEASURED_PID [-R]
# -> "Mbit/s CPU-seconds-per-GB" of MEASURED_PID over the test
run() {
  ip netns exec "$NS_B" timeout $((DURATION + 30)) iperf3 -s -1 -B "$TUN_B" -p 5201 >/dev/null 2>&1 &
  local spid=$!
  sleep 0.5
  local out t0 t1
  t0=$(ticks "$3")
  out=$(ip netns exec "$NS_A" timeout $((DURATION + 20)) iperf3 -c "$1" -p "$2" -t "$DURATION" -f m ${4:-} 2>&1 || true)
  t1=$(ticks "$3")
  wait "$spid" 2>/dev/null || true
  echo "$out" | awk -v dt=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v d="$DURATION" '
    /receiver/ {v=$(NF-2)}
    END {
      if (v == "" || v == 0) { print "0 n/a"; exit }
      gb = v * d / 8 / 1000
      printf "%s %.2f\n", v, dt / hz / gb
    }'
}

wggo "$NS_B" "$IF_B" "$WORK/b.key" "$PORT_B" "$TUN_B/24" "$(cat "$WORK/a.pub")" "$UNDER_A:$PORT_A" "$TUN_A/32"

echo "--- wireguard-go <-> wireguard-go (${DURATION}s each way)"
wggo "$NS_A" "$IF_A" "$WORK/a.key" "$PORT_A" "$TUN_A/24" "$(cat "$WORK/b.pub")" "$UNDER_B:$PORT_B" "$TUN_B/32"
A_PID=$WGPID
ip netns exec "$NS_A" ping -c 3 -i 0.2 -W 2 "$TUN_B" >/dev/null
read -r WG_UP WG_UP_CPU < <(run "$TUN_B" 5201 "$A_PID")
read -r WG_DOWN WG_DOWN_CPU < <(run "$TUN_B" 5201 "$A_PID" -R)
kill "$A_PID"; wait "$A_PID" 2>/dev/null || true
sleep 0.5

echo "--- Umbra wireguard endpoint <-> wireguard-go (${DURATION}s each way)"
cat >"$WORK/umbra.json" <<EOF
{
  "log": {"level": "warn"},
  "endpoints": [{"type": "wireguard", "tag": "wg-ep", "address": ["$TUN_A/32"],
    "private_key": "$(cat "$WORK/a.key")", "listen_port": $PORT_A, "mtu": 1420,
    "peers": [{"address": "$UNDER_B", "port": $PORT_B, "public_key": "$(cat "$WORK/b.pub")",
               "allowed_ips": ["$TUN_B/32"]}]}],
  "inbounds": [{"type": "direct", "tag": "fwd", "listen": "127.0.0.1", "listen_port": $FWD_PORT,
                "network": "tcp", "override_address": "$TUN_B", "override_port": 5201}],
  "route": {"final": "wg-ep"}
}
EOF
JAVA_OPTS=${UMBRA_JAVA_OPTS:-}
if [ -n "${UMBRA_JFR:-}" ]; then
  # the class-data archive is created at exit of a first run, and JFR is off in such a run
  JAVA_OPTS="$JAVA_OPTS -XX:-AutoCreateSharedArchive -XX:StartFlightRecording=filename=$UMBRA_JFR,settings=profile"
fi
UMBRA_JAVA_OPTS=$JAVA_OPTS ip netns exec "$NS_A" "$ROOT/umbra" run -c "$WORK/umbra.json" >"$WORK/umbra.log" 2>&1 &
U_PID=$!
PIDS+=("$U_PID")
for _ in $(seq 1 300); do # up to 30 s: a loaded machine starts the JVM slowly
  ip netns exec "$NS_A" ss -ltn "sport = :$FWD_PORT" | grep -q LISTEN && break
  sleep 0.1
done
ip netns exec "$NS_A" ss -ltn "sport = :$FWD_PORT" | grep -q LISTEN || { echo "Umbra did not start"; cat "$WORK/umbra.log"; exit 1; }
# warm-up (not measured): the JIT compiles the hot paths in the first seconds of traffic
DURATION_SAVED=$DURATION DURATION=3
run 127.0.0.1 "$FWD_PORT" "$U_PID" >/dev/null
run 127.0.0.1 "$FWD_PORT" "$U_PID" -R >/dev/null
DURATION=$DURATION_SAVED
read -r UM_UP UM_UP_CPU < <(run 127.0.0.1 "$FWD_PORT" "$U_PID")
read -r UM_DOWN UM_DOWN_CPU < <(run 127.0.0.1 "$FWD_PORT" "$U_PID" -R)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| path (iperf3 TCP, ${DURATION} s) | A -> B Mbit/s | B -> A Mbit/s | A's CPU s/GB A -> B | A's CPU s/GB B -> A |"
echo "|---|---:|---:|---:|---:|"
echo "| wireguard-go <-> wireguard-go | $WG_UP | $WG_DOWN | $WG_UP_CPU | $WG_DOWN_CPU |"
echo "| Umbra endpoint <-> wireguard-go | $UM_UP | $UM_DOWN | $UM_UP_CPU | $UM_DOWN_CPU |"
echo "| ratio Umbra / wireguard-go (goal >= 1.0) | $(ratio "$UM_UP" "$WG_UP") | $(ratio "$UM_DOWN" "$WG_DOWN") | | |"
