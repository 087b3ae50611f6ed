#!/usr/bin/env python3
"""Shadowsocks throughput side by side, one run (see bench/shadowsocks.sh).

Each path forwards a local port to an iperf3 server through a Shadowsocks client and server
(two processes). Throughput is iperf3's (one stream, client -> server); CPU is utime+stime of the two
proxy processes over the measured interval (from /proc/PID/stat; 1.0 = one core). Umbra runs as
two JVMs started by ./umbra (one client, one server, every cipher on its own port). Every path gets
the same short warm-up first, and Umbra's JVMs carry traffic on every path once before anything is
measured (JIT warm-up; a proxy runs warm). The paths take turns for --rounds=N rounds (3 unless
given) and each path's figures are those of its median round by Gbit/s per core, so one noisy
interval of any pair decides nothing. Stops only what it started. UMBRA_JAVA_OPTS is passed on to
./umbra (e.g. a JFR recording for a profile).
"""
import json, os, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = "--quick" in sys.argv


def _arg(name):
    """Value of --name=VALUE on the command line, or None."""
    for a in sys.argv[1:]:
        if a.startswith(f"--{name}="):
            return a.split("=", 1)[1]
    return None


# --methods=m1,m2 measures only those methods; --umbra-only skips the peer pairs (profiling runs).
ONLY_METHODS = _arg("methods")
UMBRA_ONLY = "--umbra-only" in sys.argv
ROUNDS = int(_arg("rounds") or (1 if QUICK else 3))
SECONDS = 3 if QUICK else 8
WARMUP = 1 if QUICK else 3
JVM_WARMUP = 2 if QUICK else 6  # once per Umbra path before anything is measured (JIT)
PASSWORD = "bench-password"
KEY2022 = "QITrD68fpZ3UaRJvvduh3A=="
CIPHERS = ["aes-128-gcm", "aes-256-gcm", "chacha20-ietf-poly1305"]
V2RAY_NAME = {"aes-128-gcm": "aes-128-gcm", "aes-256-gcm": "aes-256-gcm",
              "chacha20-ietf-poly1305": "chacha20-poly1305"}
procs = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


def start(name, cmd, **kw):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    procs.append((name, p))
    return p


def stop_all():
    for name, p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def cpu_seconds(pids, kernel_only=False):
    total = 0.0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[12]) + (0 if kernel_only else int(fields[11]))) / os.sysconf("SC_CLK_TCK")
    return total


def iperf(port, seconds):
    for attempt in range(5):
        out = subprocess.run(["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(seconds), "-J"],
                             capture_output=True, text=True, timeout=seconds + 30)
        try:
            data = json.loads(out.stdout)
        except ValueError:
            data = {"error": out.stderr or "no output"}
        if "error" not in data:
            return data["end"]["sum_received"]["bits_per_second"] / 1e9
        if attempt == 4:
            raise RuntimeError(data["error"])
        time.sleep(3)  # iperf3 -s serves one test at a time


def measure(port, pids):
    iperf(port, WARMUP)
    time.sleep(1)
    before, t = [cpu_seconds([p]) for p in pids], time.time()
    sys_before = cpu_seconds(pids, kernel_only=True)
    gbps = iperf(port, SECONDS)
    elapsed = time.time() - t
    sys_cores = (cpu_seconds(pids, kernel_only=True) - sys_before) / elapsed
    each = [(cpu_seconds([p]) - b) / elapsed for p, b in zip(pids, before)]
    cores = sum(each)
    time.sleep(1)
    # CPU seconds per GB moved (client, server): comparable on a loaded machine, unlike Gbit/s.
    per_gb = [round(c * 8 / gbps, 3) for c in each] if gbps > 0 else None
    return {"gbps": round(gbps, 2), "proxy_cores": round(cores, 2),
            "gbps_per_core": round(gbps / cores, 2) if cores > 0 else None,
            "cpu_s_per_gb": round(sum(per_gb), 3) if per_gb else None,
            "cpu_s_per_gb_client_server": per_gb,
            "kernel_share": round(sys_cores / cores, 2) if cores > 0 else None,
            "load_average": round(os.getloadavg()[0], 1)}


def median_round(samples, key):
    """The sample whose `key` is the median (the lower middle one for an even count), with every
    round's value of `key` under "rounds"."""
    ordered = sorted(samples, key=lambda s: s[key] or 0)
    return dict(ordered[(len(ordered) - 1) // 2], rounds=[s[key] for s in samples])


def main():
    for tool in ["iperf3", "ss-server", "ss-tunnel", "v2ray"]:
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is not installed (apt-get install iperf3 shadowsocks-libev v2ray)")
    work = tempfile.mkdtemp(prefix="umbra-ss-bench-")
    results = {"quick": QUICK, "iperf_seconds": SECONDS, "paths": {}}
    try:
        target = free_port()
        start("iperf3", ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(target)])
        wait_port(target)
        methods = CIPHERS + ["2022-blake3-aes-128-gcm"]
        if ONLY_METHODS:
            methods = [m for m in methods if m in ONLY_METHODS.split(",")]

        # Umbra server: one shadowsocks inbound per method.
        u_server = {m: free_port() for m in methods}
        scfg = {"log": {"level": "warn"},
                "inbounds": [{"type": "shadowsocks", "tag": f"in-{m}", "listen": "127.0.0.1",
                              "listen_port": u_server[m], "network": "tcp", "method": m,
                              "password": KEY2022 if m.startswith("2022") else PASSWORD} for m in methods],
                "outbounds": [{"type": "direct", "tag": "direct"}]}
        # ss-server per AEAD cipher
        libev = {m: free_port() for m in CIPHERS}
        for m in CIPHERS:
            start(f"ss-server-{m}", ["ss-server", "-s", "127.0.0.1", "-p", str(libev[m]), "-k", PASSWORD,
                                     "-m", m, "--no-delay"])
        # Umbra client: a direct inbound per path, forced to iperf3, routed to its outbound.
        u_fwd = {}
        inbounds, outbounds, rules = [], [], []
        for m in methods:
            for peer in (["umbra", "libev"] if m in CIPHERS else ["umbra"]):
                port = free_port()
                u_fwd[(m, peer)] = port
                tag = f"{peer}-{m}"
                inbounds.append({"type": "direct", "tag": tag, "listen": "127.0.0.1", "listen_port": port,
                                 "network": "tcp", "override_address": "127.0.0.1", "override_port": target})
                outbounds.append({"type": "shadowsocks", "tag": tag, "server": "127.0.0.1",
                                  "server_port": u_server[m] if peer == "umbra" else libev[m], "method": m,
                                  "password": KEY2022 if m.startswith("2022") else PASSWORD})
                rules.append({"inbound": [tag], "outbound": tag})
        ccfg = {"log": {"level": "warn"}, "inbounds": inbounds, "outbounds": outbounds,
                "route": {"rules": rules, "final": outbounds[0]["tag"]}}
        for name, cfg in (("umbra-server", scfg), ("umbra-client", ccfg)):
            with open(f"{work}/{name}.json", "w") as f:
                json.dump(cfg, f)
        us = start("umbra-server", [os.path.join(ROOT, "umbra"), "run", "-c", f"{work}/umbra-server.json"])
        uc = start("umbra-client", [os.path.join(ROOT, "umbra"), "run", "-c", f"{work}/umbra-client.json"])
        # ss-tunnel (ss-local's forwarding mode) -> ss-server, per cipher
        tunnel = {}
        for m in CIPHERS:
            tunnel[m] = free_port()
            start(f"ss-tunnel-{m}", ["ss-tunnel", "-s", "127.0.0.1", "-p", str(libev[m]), "-b", "127.0.0.1",
                                     "-l", str(tunnel[m]), "-k", PASSWORD, "-m", m, "-L", f"127.0.0.1:{target}",
                                     "--no-delay"])
        # v2ray client (dokodemo-door -> shadowsocks) and v2ray server (shadowsocks -> freedom)
        v_server = {m: free_port() for m in CIPHERS}
        v_fwd = {m: free_port() for m in CIPHERS}
        vs = {"log": {"loglevel": "warning"},
              "inbounds": [{"listen": "127.0.0.1", "port": v_server[m], "protocol": "shadowsocks", "tag": m,
                            "settings": {"method": V2RAY_NAME[m], "password": PASSWORD, "network": "tcp"}}
                           for m in CIPHERS],
              "outbounds": [{"protocol": "freedom"}]}
        vc = {"log": {"loglevel": "warning"},
              "inbounds": [{"listen": "127.0.0.1", "port": v_fwd[m], "protocol": "dokodemo-door", "tag": m,
                            "settings": {"address": "127.0.0.1", "port": target, "network": "tcp"}}
                           for m in CIPHERS],
              "outbounds": [{"protocol": "shadowsocks", "tag": m,
                             "settings": {"servers": [{"address": "127.0.0.1", "port": v_server[m],
                                                       "method": V2RAY_NAME[m], "password": PASSWORD}]}}
                            for m in CIPHERS],
              "routing": {"rules": [{"type": "field", "inboundTag": [m], "outboundTag": m} for m in CIPHERS]}}
        for name, cfg in (("v2ray-server", vs), ("v2ray-client", vc)):
            with open(f"{work}/{name}.json", "w") as f:
                json.dump(cfg, f)
        v2s = start("v2ray-server", ["v2ray", "-config", f"{work}/v2ray-server.json"])
        v2c = start("v2ray-client", ["v2ray", "-config", f"{work}/v2ray-client.json"])
        for port in list(u_server.values()) + list(u_fwd.values()) + list(tunnel.values()) \
                + list(v_server.values()) + list(v_fwd.values()) + list(libev.values()):
            wait_port(port)
        pid_of = {name: p.pid for name, p in procs}

        # A proxy runs for days: measure the JVMs warm. Each Umbra path carries traffic once first,
        # so the JIT has compiled the cipher intrinsics and the relay loops of every method.
        for m in methods:
            for peer in (["umbra", "libev"] if m in CIPHERS and not UMBRA_ONLY else ["umbra"]):
                iperf(u_fwd[(m, peer)], JVM_WARMUP)
                time.sleep(1)

        samples = {}
        for _ in range(ROUNDS):
            for m in methods:
                pairs = {"umbra client + umbra server": (u_fwd[(m, "umbra")], [uc.pid, us.pid])}
                if m in CIPHERS and not UMBRA_ONLY:
                    pairs["umbra client + ss-server"] = (u_fwd[(m, "libev")], [uc.pid, pid_of[f"ss-server-{m}"]])
                    pairs["ss-local + ss-server"] = (tunnel[m], [pid_of[f"ss-tunnel-{m}"], pid_of[f"ss-server-{m}"]])
                    pairs["v2ray client + v2ray server"] = (v_fwd[m], [v2c.pid, v2s.pid])
                for pair, (port, pids) in pairs.items():
                    samples.setdefault(m, {}).setdefault(pair, []).append(measure(port, pids))
        results["rounds"] = ROUNDS
        results["paths"] = {m: {pair: median_round(s, "gbps_per_core") for pair, s in rows.items()}
                            for m, rows in samples.items()}
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)

    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "shadowsocks.json"), "w") as f:
        json.dump(results, f, indent=2)
    report(results)


def report(r):
    print("\n## Shadowsocks throughput (iperf3, one stream, %ds, median of %d interleaved rounds)\n"
          % (r["iperf_seconds"], r.get("rounds", 1)))
    print("| method | path | Gbit/s | proxy CPU (cores) | Gbit/s per core | CPU s per GB (client+server) "
          "| kernel share | load avg | Gbit/s per core, each round |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for m, rows in r["paths"].items():
        for name, row in rows.items():
            split = "+".join(str(x) for x in row["cpu_s_per_gb_client_server"] or [])
            print(f"| {m} | {name} | {row['gbps']} | {row['proxy_cores']} | {row['gbps_per_core']} | "
                  f"{row['cpu_s_per_gb']} ({split}) | {row['kernel_share']} | {row['load_average']} | "
                  f"{', '.join(str(x) for x in row.get('rounds', []))} |")
    print("\n## Umbra<->Umbra against the best peer pair (goal: >= 1.3x per core)\n")
    print("| method | Umbra Gbit/s per core | best peer pair | its Gbit/s per core | ratio per core | ratio Gbit/s |")
    print("|---|---:|---|---:|---:|---:|")
    for m, rows in r["paths"].items():
        peers = {k: v for k, v in rows.items() if not k.startswith("umbra")}
        if not peers:
            continue
        u = rows["umbra client + umbra server"]
        best = max(peers, key=lambda k: peers[k]["gbps_per_core"] or 0)
        b = peers[best]
        print(f"| {m} | {u['gbps_per_core']} | {best} | {b['gbps_per_core']} | "
              f"{u['gbps_per_core'] / b['gbps_per_core']:.2f}x | {u['gbps'] / b['gbps']:.2f}x |")


if __name__ == "__main__":
    main()
