#!/usr/bin/env python3
"""VMess/VLESS/Trojan throughput side by side, one run (see bench/v2.sh).

Each path forwards a local port to an iperf3 server through a client and a server proxy (two
processes): Umbra (two JVMs started by ./umbra, every path on its own port) or v2ray 4.34 (two
processes). Throughput is iperf3's (one stream, client -> server); CPU is utime+stime of the two
proxy processes over the measured interval (1.0 = one core). Every Umbra path carries traffic once
before anything is measured (JIT warm-up). The pairs take turns for --rounds N rounds (3 unless
given) and each pair's figures are those of its median round by Gbit/s. Stops only what it started.
"""
import json, os, resource, shutil, signal, socket, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from shadowsocks import free_port, wait_port, iperf, cpu_seconds, median_round  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = "--quick" in sys.argv


def arg(name, default=None):
    """The value after --name on the command line, or default."""
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


SECONDS = int(arg("--seconds", 3 if QUICK else 8))
WARMUP = 1 if QUICK else 3
JVM_WARMUP = 2 if QUICK else 6
ROUNDS = int(arg("--rounds", 1 if QUICK else 3))
UUID = "b831381d-6324-4d53-ad4f-8cda48b30811"
PASSWORD = "bench-password"
PATHS = ["vmess-tcp", "vless-tls", "trojan-tls", "vmess-ws-tls"]
PAIRS = ["umbra client + umbra server", "v2ray client + v2ray server",
         "umbra client + v2ray server", "v2ray client + umbra server"]
# --paths vmess-tcp,vless-tls and --pairs uu,vv,uv,vu (client+server) measure a subset, e.g. while
# profiling one side; UMBRA=/path/to/umbra runs another build (say, the one before a change).
SHORT = {"uu": PAIRS[0], "vv": PAIRS[1], "uv": PAIRS[2], "vu": PAIRS[3]}
ONLY_PATHS = arg("--paths", ",".join(PATHS)).split(",")
ONLY_PAIRS = [SHORT[x] for x in arg("--pairs", "uu,vv,uv,vu").split(",")]
UMBRA = os.environ.get("UMBRA", os.path.join(ROOT, "umbra"))
# --jfr DIR: a JFR recording (profile settings) of each Umbra process over each measured interval,
# written to DIR/<path>-<pair>-<side>.jfr; read with `jfr print --events jdk.ExecutionSample`.
JFR_DIR = arg("--jfr")
procs = []


def start(name, cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append((name, p))
    return p


def stop_all():
    for _, p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def io_counts(pid):
    """(read syscalls, write syscalls, context switches) of a process so far."""
    with open(f"/proc/{pid}/io") as f:
        io = dict(line.split(": ") for line in f.read().splitlines())
    switches = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                for line in f:
                    if "ctxt_switches" in line:
                        switches += int(line.split()[-1])
        except FileNotFoundError:
            pass  # the thread ended meanwhile
    return int(io["syscr"]), int(io["syscw"]), switches


def jcmd(pid, *args):
    java_home = subprocess.run([os.path.join(ROOT, ".ci", "find-jdk")], capture_output=True,
                               text=True).stdout.strip()
    subprocess.run([os.path.join(java_home, "bin", "jcmd"), str(pid), *args], capture_output=True,
                   timeout=60)


def children_cpu():
    """CPU seconds of this script's finished children (the iperf3 clients)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(port, pids, iperf_server, jfr=()):
    """Throughput, and CPU of the proxies: cores in use, and seconds per GB moved for each side
    (and its kernel part); also the iperf3 client's and server's CPU, so the whole machine's work
    per GB is known. jfr: (pid, file) of Umbra processes to record while measuring."""
    iperf(port, WARMUP)
    time.sleep(1)
    for pid, _ in jfr:
        jcmd(pid, "JFR.start", "name=bench", "settings=profile")
    before, t = [cpu_seconds([p]) for p in pids], time.time()
    kernel_before = [cpu_seconds([p], kernel_only=True) for p in pids]
    iperf_before = cpu_seconds([iperf_server]) + children_cpu()
    counts = [io_counts(p) for p in pids]
    gbps = iperf(port, SECONDS)
    iperf_used = cpu_seconds([iperf_server]) + children_cpu() - iperf_before
    used = [cpu_seconds([p]) - b for p, b in zip(pids, before)]
    kernel = [cpu_seconds([p], kernel_only=True) - b for p, b in zip(pids, kernel_before)]
    counts = [[a - b for a, b in zip(io_counts(p), c)] for p, c in zip(pids, counts)]
    for pid, file in jfr:
        jcmd(pid, "JFR.stop", "name=bench", f"filename={file}")
    cores = sum(used) / (time.time() - t)
    gb = gbps * SECONDS / 8
    time.sleep(1)
    return {"gbps": round(gbps, 2), "proxy_cores": round(cores, 2),
            "client_cpu_s_per_gb": round(used[0] / gb, 2) if gb else None,
            "server_cpu_s_per_gb": round(used[1] / gb, 2) if gb else None,
            "kernel_cpu_s_per_gb": [round(k / gb, 2) for k in kernel] if gb else None,
            "iperf_cpu_s_per_gb": round(iperf_used / gb, 2) if gb else None,
            "machine_cores": round((sum(used) + iperf_used) / (time.time() - t), 2),
            # per MB moved: read and write system calls, context switches (client; server)
            "syscalls_per_mb": [[round(c[0] / gb / 1000, 1), round(c[1] / gb / 1000, 1),
                                 round(c[2] / gb / 1000, 1)] if gb else None for c in counts]}


def protocol(path):
    return path.split("-")[0]


# --- Umbra configs -------------------------------------------------------------------------
def umbra_inbound(path, port, cert, key):
    p = protocol(path)
    ib = {"type": p, "tag": f"in-{path}", "listen": "127.0.0.1", "listen_port": port}
    ib["users"] = ([{"name": "b", "password": PASSWORD}] if p == "trojan"
                   else [{"name": "b", "uuid": UUID}])
    if "tls" in path:
        ib["tls"] = {"enabled": True, "certificate_path": cert, "key_path": key}
    if "ws" in path:
        ib["transport"] = {"type": "ws", "path": "/ws"}
    return ib


def umbra_outbound(path, tag, server_port, cert):
    p = protocol(path)
    ob = {"type": p, "tag": tag, "server": "127.0.0.1", "server_port": server_port}
    if p == "trojan":
        ob["password"] = PASSWORD
    else:
        ob["uuid"] = UUID
    if p == "vmess":
        ob["security"] = "aes-128-gcm"
    if "tls" in path:
        ob["tls"] = {"enabled": True, "server_name": "localhost", "certificate_path": cert}
    if "ws" in path:
        ob["transport"] = {"type": "ws", "path": "/ws"}
    return ob


# --- v2ray configs -------------------------------------------------------------------------
def v2_stream(path, server, cert, key):
    s = {"network": "ws", "wsSettings": {"path": "/ws"}} if "ws" in path else {"network": "tcp"}
    if "tls" in path:
        s["security"] = "tls"
        s["tlsSettings"] = ({"certificates": [{"certificateFile": cert, "keyFile": key}]} if server
                            else {"serverName": "localhost", "allowInsecure": True})
    return s


def v2_inbound(path, port, cert, key):
    p = protocol(path)
    settings = {"vmess": {"clients": [{"id": UUID, "alterId": 0}]},
                "vless": {"clients": [{"id": UUID}], "decryption": "none"},
                "trojan": {"clients": [{"password": PASSWORD}]}}[p]
    return {"listen": "127.0.0.1", "port": port, "protocol": p, "tag": f"in-{path}",
            "settings": settings, "streamSettings": v2_stream(path, True, cert, key)}


def v2_outbound(path, tag, server_port, cert, key):
    p = protocol(path)
    if p == "trojan":
        settings = {"servers": [{"address": "127.0.0.1", "port": server_port, "password": PASSWORD}]}
    else:
        user = {"id": UUID, "alterId": 0, "security": "aes-128-gcm"} if p == "vmess" \
            else {"id": UUID, "encryption": "none"}
        settings = {"vnext": [{"address": "127.0.0.1", "port": server_port, "users": [user]}]}
    return {"protocol": p, "tag": tag, "settings": settings,
            "streamSettings": v2_stream(path, False, cert, key)}


def main():
    for tool in ["iperf3", "v2ray", "openssl"]:
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is not installed (apt-get install iperf3 v2ray openssl)")
    work = tempfile.mkdtemp(prefix="umbra-v2-bench-")
    results = {"quick": QUICK, "iperf_seconds": SECONDS, "load_average": os.getloadavg()[0],
               "paths": {}}
    try:
        cert, key = f"{work}/cert.pem", f"{work}/key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True)
        target = free_port()
        iperf_server = start("iperf3", ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(target)]).pid
        wait_port(target)
        u_server = {p: free_port() for p in PATHS}
        v_server = {p: free_port() for p in PATHS}
        server_port = {"umbra": u_server, "v2ray": v_server}
        # forwarding port per (path, pair)
        fwd = {(p, pair): free_port() for p in PATHS for pair in PAIRS}

        scfg = {"log": {"level": "warn"},
                "inbounds": [umbra_inbound(p, u_server[p], cert, key) for p in PATHS],
                "outbounds": [{"type": "direct", "tag": "direct"}]}
        c_in, c_out, c_rules = [], [], []
        v_in, v_out, v_rules = [], [], []
        for p in PATHS:
            for pair in PAIRS:
                client, server = pair.split(" client + ")[0], pair.split(" + ")[1].split(" ")[0]
                tag = f"{p}-to-{server}"
                port = fwd[(p, pair)]
                if client == "umbra":
                    c_in.append({"type": "direct", "tag": tag, "listen": "127.0.0.1", "listen_port": port,
                                 "network": "tcp", "override_address": "127.0.0.1", "override_port": target})
                    c_out.append(umbra_outbound(p, tag, server_port[server][p], cert))
                    c_rules.append({"inbound": [tag], "outbound": tag})
                else:
                    v_in.append({"listen": "127.0.0.1", "port": port, "protocol": "dokodemo-door", "tag": tag,
                                 "settings": {"address": "127.0.0.1", "port": target, "network": "tcp"}})
                    v_out.append(v2_outbound(p, tag, server_port[server][p], cert, key))
                    v_rules.append({"type": "field", "inboundTag": [tag], "outboundTag": tag})
        ccfg = {"log": {"level": "warn"}, "inbounds": c_in, "outbounds": c_out,
                "route": {"rules": c_rules, "final": c_out[0]["tag"]}}
        vs = {"log": {"loglevel": "warning"},
              "inbounds": [v2_inbound(p, v_server[p], cert, key) for p in PATHS],
              "outbounds": [{"protocol": "freedom"}]}
        vc = {"log": {"loglevel": "warning"}, "inbounds": v_in, "outbounds": v_out,
              "routing": {"rules": v_rules}}
        for name, cfg in (("umbra-server", scfg), ("umbra-client", ccfg),
                          ("v2ray-server", vs), ("v2ray-client", vc)):
            with open(f"{work}/{name}.json", "w") as f:
                json.dump(cfg, f)
        us = start("umbra-server", [UMBRA, "run", "-c", f"{work}/umbra-server.json"])
        uc = start("umbra-client", [UMBRA, "run", "-c", f"{work}/umbra-client.json"])
        v2s = start("v2ray-server", ["v2ray", "-config", f"{work}/v2ray-server.json"])
        v2c = start("v2ray-client", ["v2ray", "-config", f"{work}/v2ray-client.json"])
        for port in list(u_server.values()) + list(v_server.values()) + list(fwd.values()):
            wait_port(port)
        pids = {"umbra client": uc.pid, "umbra server": us.pid,
                "v2ray client": v2c.pid, "v2ray server": v2s.pid}
        for p in ONLY_PATHS:
            for pair in ONLY_PAIRS:
                if "umbra" in pair:
                    iperf(fwd[(p, pair)], JVM_WARMUP)
                    time.sleep(1)
        samples = {}
        for r in range(ROUNDS):
            for p in ONLY_PATHS:
                for pair in ONLY_PAIRS:
                    client, server = pair.split(" + ")
                    jfr = [(pids[side], os.path.abspath(f"{JFR_DIR}/{p}-{pair.replace(' ', '')}-{side.split()[1]}-{r}.jfr"))
                           for side in (client, server) if JFR_DIR and side.startswith("umbra")]
                    samples.setdefault(p, {}).setdefault(pair, []).append(
                        measure(fwd[(p, pair)], [pids[client], pids[server]], iperf_server, jfr))
        results["rounds"] = ROUNDS
        results["paths"] = {p: {pair: median_round(s, "gbps") for pair, s in rows.items()}
                            for p, rows in samples.items()}
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)

    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    name = "v2.json" if len(ONLY_PATHS) == len(PATHS) and len(ONLY_PAIRS) == len(PAIRS) else "v2-subset.json"
    with open(os.path.join(ROOT, "bench", "results", name), "w") as f:
        json.dump(results, f, indent=2)
    report(results)


def report(r):
    print("\n## VMess / VLESS / Trojan throughput (iperf3, one stream, %ds, median of %d interleaved "
          "rounds, load average %.1f)\n" % (r["iperf_seconds"], r.get("rounds", 1), r.get("load_average", 0)))
    print("| path | pair | Gbit/s | proxy CPU (cores) | machine CPU (cores) | client CPU s/GB (kernel) "
          "| server CPU s/GB (kernel) | iperf3 CPU s/GB | Gbit/s, each round |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for p, rows in r["paths"].items():
        for pair, row in rows.items():
            k = row.get("kernel_cpu_s_per_gb") or [None, None]
            print(f"| {p} | {pair} | {row['gbps']} | {row['proxy_cores']} | {row.get('machine_cores')} | "
                  f"{row.get('client_cpu_s_per_gb')} ({k[0]}) | {row.get('server_cpu_s_per_gb')} ({k[1]}) | "
                  f"{row.get('iperf_cpu_s_per_gb')} | {', '.join(str(x) for x in row.get('rounds', []))} |")
    print("\nPer MB moved, client; server: read syscalls / write syscalls / context switches\n")
    for p, rows in r["paths"].items():
        for pair, row in rows.items():
            c = row.get("syscalls_per_mb")
            if c:
                print(f"- {p}, {pair}: " + "; ".join(" / ".join(str(x) for x in side) for side in c))
    if any(PAIRS[1] not in rows for rows in r["paths"].values()):
        return
    print("\n## Against v2ray client + v2ray server (goal: >= 1.2x)\n")
    print("| path | umbra+umbra | umbra client + v2ray server | v2ray client + umbra server |")
    print("|---|---:|---:|---:|")
    for p, rows in r["paths"].items():
        base = rows["v2ray client + v2ray server"]["gbps"]
        ratio = lambda pair: f"{rows[pair]['gbps'] / base:.2f}x" if base and pair in rows else "-"
        print(f"| {p} | {ratio(PAIRS[0])} | {ratio(PAIRS[2])} | {ratio(PAIRS[3])} |")
    budget(r)


def budget(r):
    """With every core busy, Gbit/s is inversely proportional to the machine's CPU seconds per GB
    (both proxies and iperf3). So a mixed pair reaches 1.2x v2ray+v2ray only if Umbra's side costs at
    most (v2ray pair + its iperf3) / 1.2 - (the v2ray side in the mixed pair + its iperf3)."""
    rows_with = [(p, rows) for p, rows in r["paths"].items()
                 if all(rows.get(pair, {}).get("iperf_cpu_s_per_gb") for pair in PAIRS[1:])]
    if not rows_with:
        return
    print("\n## Mixed pairs: Umbra's CPU budget for 1.2x on a saturated machine (CPU s per GB)\n")
    print("| path | pair | v2ray pair + iperf3 | v2ray side + iperf3 here | Umbra side allowed | "
          "Umbra side measured (kernel) | machine cores |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for p, rows in rows_with:
        vv = rows[PAIRS[1]]
        whole = vv["client_cpu_s_per_gb"] + vv["server_cpu_s_per_gb"] + vv["iperf_cpu_s_per_gb"]
        for pair, peer, umbra in ((PAIRS[2], "server", 0), (PAIRS[3], "client", 1)):
            row = rows[pair]
            other = row[f"{peer}_cpu_s_per_gb"] + row["iperf_cpu_s_per_gb"]
            mine = row["server_cpu_s_per_gb" if umbra else "client_cpu_s_per_gb"]
            print(f"| {p} | {pair} | {whole:.2f} | {other:.2f} | {whole / 1.2 - other:.2f} | "
                  f"{mine} ({row['kernel_cpu_s_per_gb'][umbra]}) | {row['machine_cores']} |")


if __name__ == "__main__":
    main()
