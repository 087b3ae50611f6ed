#!/usr/bin/env python3
"""DNS forwarding-cache benchmark (see dns.sh). Stops only the processes it started.

The load comes from dnsperf (C, several sockets and threads), the same client for every server:
  * throughput: closed loop, OUTSTANDING queries in flight over 4 sockets and 2 threads;
  * latency: open loop at a fixed rate (dnsperf -Q), every answer's latency logged (-v), p50/p99
    computed here; a fixed offered load is what a latency goal means, and keeps the client's own
    per-line logging out of the throughput figure.
The servers' CPU time per query (utime+stime from /proc over the throughput run) is printed too:
it holds up better than wall-clock rates when other work shares the machine.
"""
import json, os, random, signal, socket, struct, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = "--quick" in sys.argv
DURATION = 3 if QUICK else 10
OUTSTANDING = 200
CACHED_RATE = 20000  # q/s offered in the cached latency run
UNCACHED_RATE = 2000  # q/s offered in the uncached latency run
CLK_TCK = os.sysconf("SC_CLK_TCK")
procs = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def query(qid, name):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", 1, 1)


def wait_udp(port, timeout=60):
    """Waits until a DNS server on 127.0.0.1:port answers a query."""
    deadline = time.time() + timeout
    q = query(0x4242, "up.bench.test")
    while time.time() < deadline:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.3)
        try:
            s.sendto(q, ("127.0.0.1", port))
            s.recvfrom(4096)
            return
        except OSError:
            time.sleep(0.2)
        finally:
            s.close()
    raise RuntimeError(f"no DNS answer on port {port}")


def start(cmd, log, env=None):
    p = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env)
    procs.append(p)
    return p


def stop_all():
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def dnsperf(port, datafile, duration, extra, verbose=False):
    cmd = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", datafile, "-l", str(duration),
           "-t", "2"] + extra + (["-v"] if verbose else [])
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    stats = {}
    lat = []
    for line in out.splitlines():
        if verbose and line.startswith("> "):
            parts = line.split()
            if parts[1] == "NOERROR":
                lat.append(float(parts[-1]) * 1000)
        line = line.strip()
        if line.startswith("Queries per second:"):
            stats["qps"] = round(float(line.split(":")[1]))
        elif line.startswith("Queries completed:"):
            stats["completed"] = int(line.split(":")[1].split()[0])
        elif line.startswith("Queries lost:"):
            stats["lost"] = int(line.split(":")[1].split()[0])
    if "qps" not in stats:
        raise RuntimeError("dnsperf gave no statistics:\n" + out)
    if verbose:
        lat.sort()
        pct = lambda p: round(lat[min(len(lat) - 1, int(len(lat) * p))], 3) if lat else None
        stats["p50_ms"], stats["p99_ms"] = pct(0.50), pct(0.99)
    return stats


def measure(pid, port, names, rate, work):
    """Throughput (closed loop, CPU per query) then latency at a fixed rate, one name list each."""
    cpu0 = cpu_seconds(pid)
    thr = dnsperf(port, names(work, "thr"), DURATION, ["-c", "4", "-T", "2", "-q", str(OUTSTANDING)])
    cpu = cpu_seconds(pid) - cpu0
    lat = dnsperf(port, names(work, "lat"), DURATION, ["-c", "4", "-q", str(OUTSTANDING), "-Q", str(rate)],
                  verbose=True)
    return {"qps": thr["qps"], "lost": thr.get("lost", 0),
            "cpu_us_per_query": round(cpu * 1e6 / max(1, thr.get("completed", 1)), 1),
            "rate": rate, "p50_ms": lat["p50_ms"], "p99_ms": lat["p99_ms"], "lat_lost": lat.get("lost", 0)}


def cached_names(work, kind):
    path = f"{work}/cached.txt"
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write("cached.bench.test A\n")
    return path


def uncached_names(work, kind):
    """A fresh file of names nobody asked before (enough for the fastest server's whole run)."""
    tag = random.randrange(1 << 30)
    path = f"{work}/uncached-{tag}.txt"
    with open(path, "w") as f:
        for i in range(150_000 * DURATION):
            f.write(f"n{i}-{tag}.bench.test A\n")
    return path


def main():
    work = tempfile.mkdtemp(prefix="umbra-dns-bench-")
    up, masq, unb, umb = free_port(), free_port(), free_port(), free_port()
    results = {"duration_s": DURATION, "outstanding": OUTSTANDING, "client": "dnsperf -c 4 -T 2",
               "loadavg_before": open("/proc/loadavg").read().split()[:3]}
    try:
        with open(f"{work}/up.conf", "w") as f:
            f.write(f"port={up}\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n"
                    "user=root\naddress=/bench.test/127.0.0.1\nlocal-ttl=300\n")
        upstream = start(["dnsmasq", "-k", "-C", f"{work}/up.conf", f"--pid-file={work}/up.pid"],
                         f"{work}/up.log")
        with open(f"{work}/masq.conf", "w") as f:
            f.write(f"port={masq}\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n"
                    f"user=root\nserver=127.0.0.1#{up}\ncache-size=10000\n")
        dnsmasq = start(["dnsmasq", "-k", "-C", f"{work}/masq.conf", f"--pid-file={work}/masq.pid"],
                        f"{work}/masq.log")
        with open(f"{work}/unbound.conf", "w") as f:
            f.write("server:\n  username: \"\"\n  chroot: \"\"\n  directory: \"%s\"\n  pidfile: \"%s/u.pid\"\n"
                    "  use-syslog: no\n  do-daemonize: no\n  verbosity: 0\n  interface: 127.0.0.1@%d\n"
                    "  access-control: 127.0.0.0/8 allow\n  do-ip6: no\n  do-not-query-localhost: no\n"
                    "  module-config: \"iterator\"\n  local-zone: \"test.\" nodefault\n"
                    "  num-threads: 2\nforward-zone:\n  name: \".\"\n  forward-addr: 127.0.0.1@%d\n"
                    "remote-control:\n  control-enable: no\n" % (work, work, unb, up))
        unbound = start(["unbound", "-d", "-c", f"{work}/unbound.conf"], f"{work}/unbound.log")
        cfg = {"log": {"level": "warn"},
               "dns": {"servers": [{"type": "udp", "tag": "up", "server": "127.0.0.1", "server_port": up}],
                       "cache_capacity": 100000},
               "inbounds": [{"type": "direct", "tag": "dns-in", "listen": "127.0.0.1", "listen_port": umb,
                             "network": "udp"}],
               "route": {"rules": [{"inbound": "dns-in", "action": "hijack-dns"}]}}
        with open(f"{work}/umbra.json", "w") as f:
            json.dump(cfg, f)
        env = dict(os.environ, UMBRA_SKIP_BUILD="1")
        # UMBRA=path/to/umbra measures another build (a before/after comparison)
        umbra = start([os.environ.get("UMBRA", os.path.join(ROOT, "umbra")), "run", "-c", f"{work}/umbra.json"], f"{work}/umbra.log",
                      env)
        for p in (up, masq, unb, umb):
            wait_udp(p)
        servers = [("upstream (no cache layer)", upstream, up), ("dnsmasq", dnsmasq, masq),
                   ("unbound", unbound, unb), ("umbra", umbra, umb)]
        for name, proc, port in servers:
            dnsperf(port, cached_names(work, "warm"), 3 if QUICK else 5,
                    ["-c", "4", "-T", "2", "-q", str(OUTSTANDING)])  # warm-up (JIT, caches)
            cached = measure(proc.pid, port, cached_names, CACHED_RATE, work)
            uncached = measure(proc.pid, port, uncached_names, UNCACHED_RATE, work)
            results[name] = {"cached": cached, "uncached": uncached}
            print(f"{name}: cached {cached}, uncached {uncached}", file=sys.stderr)
        results["loadavg_after"] = open("/proc/loadavg").read().split()[:3]
    finally:
        stop_all()
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "dns-latest.json"), "w") as f:
        json.dump(results, f, indent=2)
    print("\n| server | cached q/s | cached CPU µs/q | cached p50 ms | cached p99 ms "
          "| uncached q/s | uncached CPU µs/q | uncached p50 ms | uncached p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, _, _ in servers:
        c, u = results[name]["cached"], results[name]["uncached"]
        print(f"| {name} | {c['qps']} | {c['cpu_us_per_query']} | {c['p50_ms']} | {c['p99_ms']} "
              f"| {u['qps']} | {u['cpu_us_per_query']} | {u['p50_ms']} | {u['p99_ms']} |")
    print(f"\ndnsperf: throughput with {OUTSTANDING} queries in flight (4 sockets, 2 threads), latency at "
          f"{CACHED_RATE} q/s cached / {UNCACHED_RATE} q/s uncached; {DURATION} s each. "
          f"Load average before {results['loadavg_before']}, after {results.get('loadavg_after')}.")


if __name__ == "__main__":
    main()
