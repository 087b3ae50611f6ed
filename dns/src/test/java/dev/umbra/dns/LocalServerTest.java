package dev.umbra.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.adapter.DnsService;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code local} server reads the hosts file first, then asks resolv.conf's name servers. */
class LocalServerTest {

  @Test
  void hostsFileFirstThenNameServers(@TempDir Path dir) throws Exception {
    Path hosts = dir.resolve("hosts");
    Files.writeString(
        hosts,
        """
        # comment
        127.0.0.9  only-here.test alias.test
        ::9 only-here.test
        bogus line
        """);
    Path resolv = dir.resolve("resolv.conf");
    {
      // resolv.conf cannot carry a port, so the name server here is loopback:53, which nothing
      // serves: a name missing from the hosts file must fail, not hang
      Files.writeString(
          resolv,
          String.join("\n", "search example", "nameserver 127.0.0.1", "options timeout:1", ""));
      try (DnsService dns = TestDns.build("{\"servers\":[{\"type\":\"local\"}]}", resolv, hosts)) {
        assertThat(dns.resolve("only-here.test"))
            .extracting(InetAddress::getHostAddress)
            .containsExactlyInAnyOrder("127.0.0.9", "0:0:0:0:0:0:0:9");
        assertThat(dns.resolve("ALIAS.test."))
            .extracting(InetAddress::getHostAddress)
            .containsExactly("127.0.0.9");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dns.resolve("elsewhere.test"))
            .isInstanceOf(java.net.UnknownHostException.class);
      }
    }
  }
}
