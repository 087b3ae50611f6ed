package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.NetnsPair;
import dev.umbra.testkit.PeerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code dhcp} DNS server against Debian's dnsmasq as DHCP server, end to end through the CLI:
 * {@code umbra run} runs in namespace C with a {@code dhcp} server on its veth end and a DNS
 * inbound on 127.0.0.1; kdig asks it from inside C. Namespace S holds dnsmasq serving DHCP on the
 * other veth end (and DNS on 10.213.0.1), and two DNS-only dnsmasq instances on S's loopback
 * (10.213.1.3 and 10.213.1.4), each answering {@code dhcp.test} with an address of its own, so the
 * answer tells which server Umbra asked. C's resolv.conf (through {@code /etc/netns}) names
 * 10.213.1.3: the fallback.
 *
 * <p>The story: no DHCP server yet, so the fallback answers; dnsmasq starts and an address is added
 * on C's interface, so Umbra asks DHCP again and uses 10.213.0.1; dnsmasq restarts handing out
 * 10.213.1.4 as DNS server, which Umbra does not see until the address goes away again, then uses.
 * Last, ISC dhcpd (not authoritative for the subnet, so it ignores DHCPINFORM) takes over: Umbra's
 * INFORM goes unanswered and its DISCOVER gets an OFFER, whose DNS server it then uses.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DhcpDnsEndToEndTest {
  static final String DHCP_DNS = "10.213.0.1";
  static final String CLIENT = "10.213.0.2";
  static final String FALLBACK = "10.213.1.3";
  static final String OTHER = "10.213.1.4";
  static final int DNS_IN = 5353;

  @TempDir static Path dir;
  static NetnsPair ns;
  static String server;
  static String client;
  static Process umbra;
  static Path umbraLog;

  @BeforeAll
  static void setUp() throws Exception {
    for (String bin : List.of("ip", "dnsmasq", "kdig", "dhcpd")) {
      PeerProcess.requireBinary(bin); // apt: iproute2 dnsmasq knot-dnsutils isc-dhcp-server
    }
    ns = new NetnsPair("udh");
    server = ns.right;
    client = ns.left;
    ns.ip(server, "addr", "add", DHCP_DNS + "/24", "dev", ns.rightVeth);
    ns.ip(client, "addr", "add", CLIENT + "/24", "dev", ns.leftVeth);
    // on S's loopback (the kernel may lack dummy links): reached from C through the veth
    ns.ip(server, "addr", "add", FALLBACK + "/32", "dev", "lo");
    ns.ip(server, "addr", "add", OTHER + "/32", "dev", "lo");
    ns.ip(client, "route", "add", "10.213.1.0/24", "via", DHCP_DNS);
    ns.resolvConf(client, "nameserver " + FALLBACK + "\n");
    dnsOnly(FALLBACK, "10.213.7.2");
    dnsOnly(OTHER, "10.213.7.3");
  }

  /** A DNS-only dnsmasq on one address of S, answering dhcp.test with {@code answer}. */
  static void dnsOnly(String address, String answer) throws Exception {
    ns.start(
        server,
        dir.resolve("dnsmasq-" + address + ".log"),
        "dnsmasq",
        "-k",
        "--user=root",
        "--conf-file=/dev/null",
        "--listen-address=" + address,
        "--bind-interfaces",
        "--port=53",
        "--no-resolv",
        "--no-hosts",
        "--log-queries",
        "--log-facility=-",
        "--pid-file=" + dir.resolve("dnsmasq-" + address + ".pid"),
        "--address=/dhcp.test/" + answer);
    awaitDig(server, address, 53, "10.213.7.", Duration.ofSeconds(15));
  }

  /** dnsmasq as DHCP server on S's veth end, handing out {@code dnsServer} as option 6. */
  static Process dhcpServer(String dnsServer) throws Exception {
    Process p =
        ns.start(
            server,
            dir.resolve("dnsmasq-dhcp-" + System.nanoTime() + ".log"),
            "dnsmasq",
            "-k",
            "--user=root",
            "--conf-file=/dev/null",
            "--interface=" + ns.rightVeth,
            "--except-interface=lo",
            "--bind-interfaces",
            "--listen-address=" + DHCP_DNS,
            "--port=53",
            "--no-resolv",
            "--no-hosts",
            "--no-ping",
            "--log-dhcp",
            "--log-queries",
            "--log-facility=-",
            "--dhcp-range=10.213.0.100,10.213.0.150,255.255.255.0,1h",
            "--dhcp-option=6," + dnsServer,
            "--dhcp-option=15,lan.test",
            "--dhcp-leasefile=" + dir.resolve("leases"),
            "--pid-file=" + dir.resolve("dnsmasq-dhcp.pid"),
            "--address=/dhcp.test/10.213.7.1",
            "--address=/printer.lan.test/10.213.7.9");
    awaitDig(server, DHCP_DNS, 53, "10.213.7.1", Duration.ofSeconds(15));
    return p;
  }

  static int names;

  /** A fresh name under dhcp.test each time, so no cache answers in place of the server. */
  static String dig(String namespace, String at, int port) throws Exception {
    NetnsPair.Result r =
        ns.exec(
            namespace,
            20,
            "kdig",
            "+timeout=12",
            "+retry=0",
            "+short",
            "@" + at,
            "-p",
            Integer.toString(port),
            "q" + (++names) + ".dhcp.test",
            "A");
    return r.exit() == 0 ? r.output().trim() : "exit " + r.exit() + ": " + r.output();
  }

  static void awaitDig(String namespace, String at, int port, String want, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = dig(namespace, at, port);
      if (last.equals(want) || (want.endsWith(".") && last.startsWith(want))) {
        return;
      }
      if (umbra != null && !umbra.isAlive()) {
        break;
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "kdig @"
            + at
            + ":"
            + port
            + " in "
            + namespace
            + " never answered "
            + want
            + " (last: "
            + last
            + ")\n"
            + umbraLog());
  }

  static String umbraLog() {
    try {
      return umbraLog == null ? "" : "umbra log:\n" + Files.readString(umbraLog);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @AfterAll
  static void tearDown() {
    if (ns != null) {
      ns.close();
    }
  }

  @Test
  void learnsTheDnsServerFromDnsmasqAndFollowsChanges() throws Exception {
    Path config = dir.resolve("config.json");
    Files.writeString(
        config,
        """
        {
          "log": {"level": "info"},
          "dns": {"servers": [{"type": "dhcp", "tag": "lan", "interface": "%s"}]},
          "inbounds": [{"type": "direct", "tag": "dns-in", "listen": "127.0.0.1", "listen_port": %d}],
          "outbounds": [{"type": "direct", "tag": "direct"}],
          "route": {"rules": [{"inbound": ["dns-in"], "action": "hijack-dns"}], "final": "direct"}
        }
        """
            .formatted(ns.leftVeth, DNS_IN),
        StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(List.of("-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
    cmd.addAll(List.of(Main.class.getName(), "run", "-c", config.toString()));
    umbraLog = dir.resolve("umbra.log");
    umbra = ns.start(client, umbraLog, cmd.toArray(String[]::new));

    // 1. no DHCP server on the link: INFORM and DISCOVER go unanswered, resolv.conf's server
    // answers
    awaitDig(client, "127.0.0.1", DNS_IN, "10.213.7.2", Duration.ofSeconds(60));
    assertThat(umbraLog()).contains("using the name servers of /etc/resolv.conf");

    // 2. dnsmasq starts; a new address on the interface makes Umbra ask again (DHCPINFORM -> ACK)
    Process dhcp = dhcpServer(DHCP_DNS);
    ns.ip(client, "addr", "add", "10.213.0.20/24", "dev", ns.leftVeth);
    awaitDig(client, "127.0.0.1", DNS_IN, "10.213.7.1", Duration.ofSeconds(40));
    assertThat(umbraLog())
        .contains("DNS servers from DHCP ACK of " + DHCP_DNS)
        .contains("search domains [lan.test]");
    // a single-label name is tried with the search domain from option 15 first
    NetnsPair.Result printer =
        ns.exec(
            client,
            20,
            "kdig",
            "+timeout=12",
            "+retry=0",
            "+short",
            "@127.0.0.1",
            "-p",
            Integer.toString(DNS_IN),
            "printer",
            "A");
    assertThat(printer.output().lines().toList())
        .containsExactly("printer.lan.test.", "10.213.7.9");

    // 3. dnsmasq now hands out another DNS server: unseen until the interface changes again
    ns.stop(dhcp);
    Process other = dhcpServer(OTHER);
    assertThat(dig(client, "127.0.0.1", DNS_IN)).isEqualTo("10.213.7.1");
    ns.ip(client, "addr", "del", "10.213.0.20/24", "dev", ns.leftVeth);
    awaitDig(client, "127.0.0.1", DNS_IN, "10.213.7.3", Duration.ofSeconds(40));
    assertThat(umbraLog()).contains("interface changed");

    // 4. DISCOVER -> OFFER against a real server: ISC dhcpd, not authoritative for the subnet,
    // ignores DHCPINFORM ("not authoritative for subnet") but offers an address to a DHCPDISCOVER,
    // broadcast back to C; Umbra takes the OFFER's DNS server (a DNS-only dnsmasq on 10.213.0.1)
    ns.stop(other);
    dnsOnly(DHCP_DNS, "10.213.7.1");
    Path conf = dir.resolve("dhcpd.conf");
    Files.writeString(
        conf,
        "option domain-name-servers "
            + DHCP_DNS
            + ";\ndefault-lease-time 600;\n"
            + "subnet 10.213.0.0 netmask 255.255.255.0 { range 10.213.0.100 10.213.0.150; }\n");
    Path leases = dir.resolve("dhcpd.leases");
    Files.writeString(leases, "");
    ns.start(
        server,
        dir.resolve("dhcpd.log"),
        "dhcpd",
        "-4",
        "-f",
        "-d",
        "-cf",
        conf.toString(),
        "-lf",
        leases.toString(),
        "-pf",
        dir.resolve("dhcpd.pid").toString(),
        ns.rightVeth);
    assertThat(umbraLog()).doesNotContain("DHCP OFFER");
    ns.ip(client, "addr", "add", "10.213.0.30/24", "dev", ns.leftVeth);
    awaitDig(client, "127.0.0.1", DNS_IN, "10.213.7.1", Duration.ofSeconds(40));
    assertThat(umbraLog())
        .contains("no ACK to DHCPINFORM from /10.213.0.30:68")
        .contains("DNS servers from DHCP OFFER of " + DHCP_DNS);
    assertThat(Files.readString(dir.resolve("dhcpd.log")))
        .contains("not authoritative for subnet")
        .contains("DHCPOFFER");
  }
}
