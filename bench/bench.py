#!/usr/bin/env python3
"""Umbra side by side with v2ray, socat, microsocks and raw loopback, in one run.

Measures: iperf3 throughput through each TCP relay; wrk requests/s and p50/p99 latency of short
HTTP requests through each HTTP proxy, with keep-alive and with a new connection per request;
Umbra's RSS idle and with 1,000 idle relayed connections; time from start to listening.
Prints a table with ratios and writes bench/results/latest.json. Stops only what it started.
"""
import glob, json, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = "--quick" in sys.argv
IPERF_SECONDS = 3 if QUICK else 8
RELAY_ROUNDS = 1 if QUICK else 3
WRK_SECONDS = 4 if QUICK else 10
WARMUP_SECONDS = 2 if QUICK else 5  # before each request-rate measurement, for every proxy alike
IDLE_CONNS = 1000
procs = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return time.time()
        except OSError:
            time.sleep(0.01)
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


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def iperf(port):
    # iperf3 -s serves one test at a time and a relay may hold the last one open briefly
    for attempt in range(5):
        try:
            return iperf_once(port)
        except RuntimeError:
            if attempt == 4:
                raise
            time.sleep(3)


def iperf_once(port):
    out = subprocess.run(["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(IPERF_SECONDS), "-J"],
                         capture_output=True, text=True, timeout=IPERF_SECONDS + 30)
    data = json.loads(out.stdout)
    if "error" in data:
        raise RuntimeError(data["error"])
    return data["end"]["sum_received"]["bits_per_second"] / 1e9


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(proxy_port, target, close, seconds=None):
    seconds = seconds or WRK_SECONDS
    env = dict(os.environ, TARGET=target, CLOSE="1" if close else "0")
    out = subprocess.run(["wrk", "-t", "2", "-c", "50", "-d", f"{seconds}s", "--latency",
                          "-s", os.path.join(ROOT, "bench", "proxy.lua"), f"http://127.0.0.1:{proxy_port}/"],
                         capture_output=True, text=True, env=env, timeout=seconds + 30)
    text = out.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"),
            "non2xx": int(non2xx.group(1)) if non2xx else 0}


def java25():
    """The JDK 25 java the launcher would use (JAVA_HOME if it is 25, else the usual install)."""
    for home in [os.environ.get("JAVA_HOME", "")] + sorted(glob.glob("/usr/lib/jvm/*25*")):
        java = os.path.join(home, "bin", "java")
        if home and os.path.exists(java) and "25" in os.path.basename(os.path.realpath(home)):
            return java
    sys.exit("bench: JDK 25 not found under /usr/lib/jvm")


def socks_load(proxy_port, origin):
    out = subprocess.run([java25(), os.path.join(ROOT, "bench", "SocksLoad.java"), str(proxy_port), str(origin),
                          "/small", str(WARMUP_SECONDS), str(WRK_SECONDS), "50"], capture_output=True, text=True,
                         timeout=WARMUP_SECONDS + WRK_SECONDS + 60)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_footprint(work, results):
    idle_target, fwd = free_port(), free_port()
    cfg = {"log": {"level": "warn"},
           "inbounds": [{"type": "direct", "tag": "idle", "listen": "127.0.0.1", "listen_port": fwd,
                         "network": "tcp", "override_address": "127.0.0.1", "override_port": idle_target}],
           "outbounds": [{"type": "direct", "tag": "direct"}]}
    with open(f"{work}/footprint.json", "w") as f:
        json.dump(cfg, f)
    # The first start after a build writes the class-data archive (as a user's first start does);
    # start once and stop, then measure a normal start.
    first = subprocess.Popen([os.path.join(ROOT, "umbra"), "run", "-c", f"{work}/footprint.json"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(fwd)
    first.send_signal(signal.SIGTERM)
    first.wait(timeout=30)
    t0 = time.time()
    umbra = subprocess.Popen([os.path.join(ROOT, "umbra"), "run", "-c", f"{work}/footprint.json"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        results["umbra_start_to_listening_s"] = round(wait_port(fwd) - t0, 3)
        # Idle means settled: the JIT finishes its start-up work and the periodic native-heap trim
        # hands memory back within a few seconds of start.
        time.sleep(10)
        idle = rss_kb(umbra.pid) / 1024
        results["umbra_idle_rss_mb"] = round(idle, 1)
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", idle_target))
        server.listen(4096)
        server.settimeout(10)
        clients = [socket.create_connection(("127.0.0.1", fwd)) for _ in range(IDLE_CONNS)]
        accepted = [server.accept()[0] for _ in range(IDLE_CONNS)]
        time.sleep(3)
        busy = rss_kb(umbra.pid) / 1024
        results["umbra_rss_1000_idle_mb"] = round(busy, 1)
        results["umbra_kib_per_idle_conn"] = round((busy - idle) * 1024 / IDLE_CONNS, 1)
        for s in clients + accepted:
            s.close()
        server.close()
    finally:
        umbra.terminate()
        umbra.wait(15)


def main():
    for tool in ["iperf3", "wrk", "v2ray", "microsocks", "socat", "nginx"]:
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            sys.exit(f"bench: {tool} is not installed (apt-get install iperf3 wrk v2ray microsocks socat nginx-light)")
    work = tempfile.mkdtemp(prefix="umbra-bench-")
    results = {"quick": QUICK, "iperf_seconds": IPERF_SECONDS, "wrk_seconds": WRK_SECONDS}
    try:
        # targets: iperf3 server and an nginx origin
        iperf_port = free_port()
        start("iperf3", ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(iperf_port)])
        origin = free_port()
        os.makedirs(f"{work}/nginx", exist_ok=True)
        with open(f"{work}/nginx.conf", "w") as f:
            f.write(f"""worker_processes 1; daemon off; pid {work}/nginx.pid; error_log {work}/nginx/error.log warn;
events {{ worker_connections 4096; }}
http {{ access_log off; keepalive_requests 1000000;
  client_body_temp_path {work}/nginx/b; proxy_temp_path {work}/nginx/p; fastcgi_temp_path {work}/nginx/f;
  uwsgi_temp_path {work}/nginx/u; scgi_temp_path {work}/nginx/s;
  server {{ listen 127.0.0.1:{origin}; location = /small {{ default_type text/plain; return 200 "ok\\n"; }} }} }}
""")
        start("nginx", ["nginx", "-p", work, "-c", f"{work}/nginx.conf"])
        wait_port(iperf_port)
        wait_port(origin)

        # Footprint first, on a fresh Umbra that has carried no load: idle, then 1,000 idle
        # relayed connections (each: accepted socket, dialed socket, two parked virtual threads).
        measure_footprint(work, results)

        # Umbra: direct inbound forwarding to iperf3, mixed and http proxies, forward for idle conns
        u_fwd, u_mixed = free_port(), free_port()
        cfg = {"log": {"level": "warn"},
               "inbounds": [
                   {"type": "direct", "tag": "fwd", "listen": "127.0.0.1", "listen_port": u_fwd,
                    "network": "tcp", "override_address": "127.0.0.1", "override_port": iperf_port},
                   {"type": "mixed", "tag": "mixed", "listen": "127.0.0.1", "listen_port": u_mixed}],
               "outbounds": [{"type": "direct", "tag": "direct"}]}
        with open(f"{work}/umbra.json", "w") as f:
            json.dump(cfg, f)
        umbra = start("umbra", [os.path.join(ROOT, "umbra"), "run", "-c", f"{work}/umbra.json"])
        wait_port(u_mixed)

        # v2ray: dokodemo-door -> freedom, socks and http inbounds -> freedom
        v_fwd, v_socks, v_http = free_port(), free_port(), free_port()
        # v2ray holds a connection open for its uplinkOnly/downlinkOnly grace (seconds) after one
        # side ends; zero makes it close at once like Umbra, microsocks and sing-box.
        vcfg = {"log": {"loglevel": "warning"},
                "policy": {"levels": {"0": {"uplinkOnly": 0, "downlinkOnly": 0}}},
                "inbounds": [
                    {"listen": "127.0.0.1", "port": v_fwd, "protocol": "dokodemo-door",
                     "settings": {"address": "127.0.0.1", "port": iperf_port, "network": "tcp"}},
                    {"listen": "127.0.0.1", "port": v_socks, "protocol": "socks", "settings": {"auth": "noauth"}},
                    {"listen": "127.0.0.1", "port": v_http, "protocol": "http"}],
                "outbounds": [{"protocol": "freedom"}]}
        with open(f"{work}/v2ray.json", "w") as f:
            json.dump(vcfg, f)
        v2ray = start("v2ray", ["v2ray", "-config", f"{work}/v2ray.json"])
        s_fwd = free_port()
        socat = start("socat", ["socat", f"TCP-LISTEN:{s_fwd},bind=127.0.0.1,reuseaddr,fork",
                                f"TCP:127.0.0.1:{iperf_port}"])
        m_port = free_port()
        start("microsocks", ["microsocks", "-i", "127.0.0.1", "-p", str(m_port)])
        for p in (v_fwd, v_http, s_fwd, m_port):
            wait_port(p)

        # 1. relay throughput: the paths take turns for RELAY_ROUNDS rounds, so a slow moment of the
        # machine hits every path alike; each path reports its median and each round its ratios.
        paths = [("raw loopback", iperf_port, None), ("umbra direct inbound", u_fwd, umbra.pid),
                 ("v2ray dokodemo-door", v_fwd, v2ray.pid), ("socat", s_fwd, socat.pid)]
        samples = {name: [] for name, _, _ in paths}
        for _ in range(RELAY_ROUNDS):
            for name, port, pid in paths:
                before = cpu_seconds(pid) if pid else 0
                t = time.time()
                gbps = iperf(port)
                cpu = (cpu_seconds(pid) - before) / (time.time() - t) if pid else 0
                samples[name].append({"gbps": round(gbps, 2), "proxy_cpu": round(cpu, 2)})
                time.sleep(2)  # iperf3 serves one test at a time
        results["throughput"] = {name: {"gbps": statistics.median(x["gbps"] for x in runs),
                                        "proxy_cpu": statistics.median(x["proxy_cpu"] for x in runs),
                                        "rounds": runs}
                                 for name, runs in samples.items()}

        # 2. short HTTP requests through each HTTP proxy
        target = f"http://127.0.0.1:{origin}/small"
        reqs = {}
        for name, port in [("umbra mixed", u_mixed), ("v2ray http", v_http)]:
            wrk(port, target, True, seconds=WARMUP_SECONDS)  # warm up (the JVM's JIT), not measured
            reqs[name] = {"keepalive": wrk(port, target, False), "new_conn": wrk(port, target, True)}
        results["http"] = reqs

        # 3. new SOCKS5 connections per second (one HTTP request each) through each SOCKS proxy
        socks = {}
        for name, port in [("umbra mixed", u_mixed), ("v2ray socks", v_socks), ("microsocks", m_port)]:
            socks[name] = socks_load(port, origin)
        results["socks"] = socks

    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)

    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "latest.json"), "w") as f:
        json.dump(results, f, indent=2)
    report(results)


def report(r):
    t = r["throughput"]
    raw, v2 = t["raw loopback"]["gbps"], t["v2ray dokodemo-door"]["gbps"]
    print("\n## Relay throughput (iperf3, %ds, median of %d interleaved rounds)\n" % (r["iperf_seconds"], RELAY_ROUNDS))
    print("| path | Gbit/s | proxy CPU (cores) | vs v2ray | vs raw | vs raw per round |")
    print("|---|---:|---:|---:|---:|---|")
    for name, row in t.items():
        per_round = " / ".join(f"{x['gbps'] / y['gbps']:.2f}" for x, y in zip(row["rounds"], t["raw loopback"]["rounds"]))
        print(f"| {name} | {row['gbps']} | {row['proxy_cpu']} | {row['gbps'] / v2:.2f}x | {row['gbps'] / raw:.2f}x | {per_round} |")
    print("\n## Short HTTP requests through the proxy (wrk -t2 -c50, %ds)\n" % r["wrk_seconds"])
    print("| proxy | keep-alive req/s | p50 / p99 | new conn/s | p50 / p99 |")
    print("|---|---:|---|---:|---|")
    for name, row in r["http"].items():
        k, n = row["keepalive"], row["new_conn"]
        print(f"| {name} | {k['rps']:.0f} | {k['p50']} / {k['p99']} | {n['rps']:.0f} | {n['p50']} / {n['p99']} |")
    u, v = r["http"]["umbra mixed"], r["http"]["v2ray http"]
    print(f"\nconnections/s ratio umbra/v2ray: {u['new_conn']['rps'] / v['new_conn']['rps']:.2f}x; "
          f"keep-alive ratio: {u['keepalive']['rps'] / v['keepalive']['rps']:.2f}x")
    print("\n## New SOCKS5 connections through the proxy (one HTTP request each, 50 at a time, %ds)\n" % r["wrk_seconds"])
    print("| proxy | conn/s | p50 / p99 ms | errors |")
    print("|---|---:|---|---:|")
    for name, row in r["socks"].items():
        print(f"| {name} | {row['rps']:.0f} | {row['p50_ms']} / {row['p99_ms']} | {row['errors']} |")
    s = r["socks"]
    print(f"\nSOCKS conn/s ratio umbra/v2ray: {s['umbra mixed']['rps'] / s['v2ray socks']['rps']:.2f}x; "
          f"umbra/microsocks: {s['umbra mixed']['rps'] / s['microsocks']['rps']:.2f}x")
    print("\n## Umbra footprint\n")
    print(f"- start to listening: {r['umbra_start_to_listening_s']} s")
    print(f"- idle RSS: {r['umbra_idle_rss_mb']} MB")
    print(f"- RSS with {IDLE_CONNS} idle relayed connections: {r['umbra_rss_1000_idle_mb']} MB "
          f"({r['umbra_kib_per_idle_conn']} KiB per connection)")


if __name__ == "__main__":
    main()
