#!/usr/bin/env python3
"""VMess/VLESS/Trojan throughput side by side, one run (see bench/v2.sh).

Each path forwards a local port to an iperf3 server through a client and a server proxy (two
processes): Umbra (two JVMs started by ./umbra, every path on its own port) or v2ray 4.34 (two
processes). Throughput is iperf3's (one stream, client -> server); CPU is utime+stime of the two
proxy processes over the measured interval (1.0 = one core). Every Umbra path carries traffic once
before anything is measured (JIT warm-up). Stops only what it started.
"""
import json, os, shutil, signal, socket, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from shadowsocks import free_port, wait_port, iperf, cpu_seconds  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = "--quick" in sys.argv
SECONDS = 3 if QUICK else 8
WARMUP = 1 if QUICK else 3
JVM_WARMUP = 2 if QUICK else 6
UUID = "b831381d-6324-4d53-ad4f-8cda48b30811"
PASSWORD = "bench-password"
PATHS = ["vmess-tcp", "vless-tls", "trojan-tls", "vmess-ws-tls"]
PAIRS = ["umbra client + umbra server", "v2ray client + v2ray server",
         "umbra client + v2ray server", "v2ray client + umbra server"]
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


def measure(port, pids):
    iperf(port, WARMUP)
    time.sleep(1)
    before, t = cpu_seconds(pids), time.time()
    gbps = iperf(port, SECONDS)
    cores = (cpu_seconds(pids) - before) / (time.time() - t)
    time.sleep(1)
    return {"gbps": round(gbps, 2), "proxy_cores": round(cores, 2)}


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
    results = {"quick": QUICK, "iperf_seconds": SECONDS, "paths": {}}
    try:
        cert, key = f"{work}/cert.pem", f"{work}/key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True)
        target = free_port()
        start("iperf3", ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(target)])
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
        us = start("umbra-server", [os.path.join(ROOT, "umbra"), "run", "-c", f"{work}/umbra-server.json"])
        uc = start("umbra-client", [os.path.join(ROOT, "umbra"), "run", "-c", f"{work}/umbra-client.json"])
        v2s = start("v2ray-server", ["v2ray", "-config", f"{work}/v2ray-server.json"])
        v2c = start("v2ray-client", ["v2ray", "-config", f"{work}/v2ray-client.json"])
        for port in list(u_server.values()) + list(v_server.values()) + list(fwd.values()):
            wait_port(port)
        pids = {"umbra client": uc.pid, "umbra server": us.pid,
                "v2ray client": v2c.pid, "v2ray server": v2s.pid}
        for p in PATHS:
            for pair in PAIRS:
                if "umbra" in pair:
                    iperf(fwd[(p, pair)], JVM_WARMUP)
                    time.sleep(1)
        for p in PATHS:
            row = results["paths"].setdefault(p, {})
            for pair in PAIRS:
                client, server = pair.split(" + ")
                row[pair] = measure(fwd[(p, pair)], [pids[client], pids[server]])
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)

    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "v2.json"), "w") as f:
        json.dump(results, f, indent=2)
    report(results)


def report(r):
    print("\n## VMess / VLESS / Trojan throughput (iperf3, one stream, %ds)\n" % r["iperf_seconds"])
    print("| path | pair | Gbit/s | proxy CPU (cores) |")
    print("|---|---|---:|---:|")
    for p, rows in r["paths"].items():
        for pair, row in rows.items():
            print(f"| {p} | {pair} | {row['gbps']} | {row['proxy_cores']} |")
    print("\n## Against v2ray client + v2ray server (goal: >= 1.2x)\n")
    print("| path | umbra+umbra | umbra client + v2ray server | v2ray client + umbra server |")
    print("|---|---:|---:|---:|")
    for p, rows in r["paths"].items():
        base = rows["v2ray client + v2ray server"]["gbps"]
        ratio = lambda pair: f"{rows[pair]['gbps'] / base:.2f}x" if base else "-"
        print(f"| {p} | {ratio(PAIRS[0])} | {ratio(PAIRS[2])} | {ratio(PAIRS[3])} |")


if __name__ == "__main__":
    main()
