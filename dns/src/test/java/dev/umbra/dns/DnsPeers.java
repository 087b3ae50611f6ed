package dev.umbra.dns;

import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.TestCerts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * dnsmasq (authoritative for peer.test, no upstream) and unbound (Do53, DoT, DoH; local data for
 * unbound.test, everything else forwarded to dnsmasq) on free loopback ports. Nothing leaves the
 * machine.
 */
public final class DnsPeers implements AutoCloseable {
  public final int dnsmasq = FreePort.tcp();
  public final int unbound = FreePort.tcp();
  public final int unboundTls = FreePort.tcp();
  public final int unboundHttps = FreePort.tcp();
  public final TestCerts certs;
  private final PeerProcess dnsmasqProcess;
  private final PeerProcess unboundProcess;

  public DnsPeers(Path dir) throws IOException, InterruptedException {
    certs = TestCerts.create(dir);
    Path conf = dir.resolve("dnsmasq.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "port=" + dnsmasq,
            "listen-address=127.0.0.1",
            "bind-interfaces",
            "no-resolv",
            "no-hosts",
            "no-poll",
            "user=root",
            "address=/peer.test/127.0.0.1",
            "address=/peer.test/::1",
            "txt-record=txt.peer.test,\"hello-from-dnsmasq\"",
            "address=/split.test/10.7.7.7",
            ""));
    dnsmasqProcess =
        PeerProcess.start(
            "dnsmasq",
            dnsmasq,
            Duration.ofSeconds(15),
            "dnsmasq",
            "-k",
            "-C",
            conf.toString(),
            "--pid-file=" + dir.resolve("dnsmasq.pid"));
    Path uconf = dir.resolve("unbound.conf");
    Files.writeString(
        uconf,
        String.join(
            "\n",
            "server:",
            "  username: \"\"",
            "  chroot: \"\"",
            "  directory: \"" + dir + "\"",
            "  pidfile: \"" + dir.resolve("unbound.pid") + "\"",
            "  use-syslog: no",
            "  logfile: \"\"",
            "  verbosity: 1",
            "  do-daemonize: no",
            "  interface: 127.0.0.1@" + unbound,
            "  interface: 127.0.0.1@" + unboundTls,
            "  interface: 127.0.0.1@" + unboundHttps,
            "  tls-port: " + unboundTls,
            "  https-port: " + unboundHttps,
            "  http-endpoint: \"/dns-query\"",
            "  tls-service-key: \"" + certs.key() + "\"",
            "  tls-service-pem: \"" + certs.certificate() + "\"",
            "  access-control: 127.0.0.0/8 allow",
            "  do-ip6: no",
            "  do-not-query-localhost: no",
            "  module-config: \"iterator\"",
            "  local-zone: \"test.\" nodefault",
            "  local-zone: \"unbound.test.\" static",
            "  local-data: \"a.unbound.test. 60 IN A 127.0.0.2\"",
            "  local-zone: \"split.test.\" static",
            "  local-data: \"split.test. 60 IN A 198.51.100.7\"",
            "  local-data: \"unbound.test. 60 IN TXT \\\"hello-from-unbound\\\"\"",
            "forward-zone:",
            "  name: \".\"",
            "  forward-addr: 127.0.0.1@" + dnsmasq,
            "remote-control:",
            "  control-enable: no",
            ""));
    PeerProcess u;
    try {
      u =
          PeerProcess.start(
              "unbound",
              unboundHttps,
              Duration.ofSeconds(15),
              "unbound",
              "-d",
              "-c",
              uconf.toString());
    } catch (IOException e) {
      dnsmasqProcess.close();
      throw e;
    }
    unboundProcess = u;
  }

  @Override
  public void close() {
    unboundProcess.close();
    dnsmasqProcess.close();
  }
}
