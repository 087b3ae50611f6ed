#!/usr/bin/env python3
"""DNS forwarding-cache benchmark (see dns.sh). Stops only the processes it started."""
import json, os, random, signal, socket, struct, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = "--quick" in sys.argv
DURATION = 3 if QUICK else 10
CONCURRENCY = 32
procs = []


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


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


def start(name, cmd, log):
    p = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT)
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


def query(qid, name):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack(">HH", 1, 1)


def load(port, names):
    """CONCURRENCY queries in flight on one socket for DURATION s; returns qps, p50, p99 (ms)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    s.connect(("127.0.0.1", port))
    sent = {}
    lat = []
    lost = 0
    seq = 0
    t_end = time.time() + DURATION
    def send_one():
        nonlocal seq
        seq += 1
        qid = seq & 0xFFFF
        s.send(query(qid, names(seq)))
        sent[qid] = time.perf_counter()
    for _ in range(CONCURRENCY):
        send_one()
    t0 = time.perf_counter()
    while time.time() < t_end:
        try:
            data = s.recv(4096)
        except socket.timeout:
            lost += len(sent)
            sent.clear()
            for _ in range(CONCURRENCY):
                send_one()
            continue
        qid = struct.unpack(">H", data[:2])[0]
        t = sent.pop(qid, None)
        if t is not None:
            lat.append((time.perf_counter() - t) * 1000)
        send_one()
    elapsed = time.perf_counter() - t0
    s.close()
    lat.sort()
    pct = lambda p: round(lat[min(len(lat) - 1, int(len(lat) * p))], 3) if lat else None
    return {"qps": round(len(lat) / elapsed), "p50_ms": pct(0.50), "p99_ms": pct(0.99), "lost": lost}


def main():
    work = tempfile.mkdtemp(prefix="umbra-dns-bench-")
    up, masq, unb, umb = free_port(), free_port(), free_port(), free_port()
    results = {"duration_s": DURATION, "concurrency": CONCURRENCY}
    try:
        with open(f"{work}/up.conf", "w") as f:
            f.write(f"port={up}\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n"
                    "user=root\naddress=/bench.test/127.0.0.1\nlocal-ttl=300\n")
        start("upstream", ["dnsmasq", "-k", "-C", f"{work}/up.conf", f"--pid-file={work}/up.pid"],
              f"{work}/up.log")
        with open(f"{work}/masq.conf", "w") as f:
            f.write(f"port={masq}\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n"
                    f"user=root\nserver=127.0.0.1#{up}\ncache-size=10000\n")
        start("dnsmasq", ["dnsmasq", "-k", "-C", f"{work}/masq.conf", f"--pid-file={work}/masq.pid"],
              f"{work}/masq.log")
        with open(f"{work}/unbound.conf", "w") as f:
            f.write("server:\n  username: \"\"\n  chroot: \"\"\n  directory: \"%s\"\n  pidfile: \"%s/u.pid\"\n"
                    "  use-syslog: no\n  do-daemonize: no\n  verbosity: 0\n  interface: 127.0.0.1@%d\n"
                    "  access-control: 127.0.0.0/8 allow\n  do-ip6: no\n  do-not-query-localhost: no\n"
                    "  module-config: \"iterator\"\n  local-zone: \"test.\" nodefault\n"
                    "  num-threads: 2\nforward-zone:\n  name: \".\"\n  forward-addr: 127.0.0.1@%d\n"
                    "remote-control:\n  control-enable: no\n" % (work, work, unb, up))
        start("unbound", ["unbound", "-d", "-c", f"{work}/unbound.conf"], f"{work}/unbound.log")
        cfg = {"log": {"level": "warn"},
               "dns": {"servers": [{"type": "udp", "tag": "up", "server": "127.0.0.1", "server_port": up}],
                       "cache_capacity": 100000},
               "inbounds": [{"type": "direct", "tag": "dns-in", "listen": "127.0.0.1", "listen_port": umb,
                             "network": "udp"}],
               "route": {"rules": [{"inbound": "dns-in", "action": "hijack-dns"}]}}
        with open(f"{work}/umbra.json", "w") as f:
            json.dump(cfg, f)
        start("umbra", [os.path.join(ROOT, "umbra"), "run", "-c", f"{work}/umbra.json"], f"{work}/umbra.log")
        for p in (up, masq, unb, umb):
            wait_udp(p)
        for name, port in [("upstream (no cache layer)", up), ("dnsmasq", masq), ("unbound", unb), ("umbra", umb)]:
            load(port, lambda i: "warm.bench.test")  # warm-up (JIT, caches)
            cached = load(port, lambda i: "cached.bench.test")
            tag = random.randrange(1 << 30)
            uncached = load(port, lambda i, t=tag: f"n{i}-{t}.bench.test")
            results[name] = {"cached": cached, "uncached": uncached}
            print(f"{name}: cached {cached}, uncached {uncached}", file=sys.stderr)
    finally:
        stop_all()
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "dns-latest.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(f"\n| server | cached q/s | cached p50 ms | cached p99 ms | uncached q/s | uncached p50 ms | uncached p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for name in ("upstream (no cache layer)", "dnsmasq", "unbound", "umbra"):
        c, u = results[name]["cached"], results[name]["uncached"]
        print(f"| {name} | {c['qps']} | {c['p50_ms']} | {c['p99_ms']} | {u['qps']} | {u['p50_ms']} | {u['p99_ms']} |")
    print(f"\nOne Python client, {CONCURRENCY} queries in flight, {DURATION} s each: the client may be the"
          " bottleneck for the fastest servers; compare ratios from one run.")


if __name__ == "__main__":
    main()
