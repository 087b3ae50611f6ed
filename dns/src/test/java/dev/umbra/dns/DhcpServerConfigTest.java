package dev.umbra.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.adapter.DnsService;
import dev.umbra.dns.dhcp.DhcpTransport;
import dev.umbra.dns.router.DnsRouter;
import org.junit.jupiter.api.Test;

/** The {@code dhcp} server type and legacy {@code dhcp://} addresses load into DHCP transports. */
class DhcpServerConfigTest {
  @Test
  void typedAndLegacyFormsLoad() throws Exception {
    try (DnsService dns =
        TestDns.build(
            """
            {"servers":[
              {"tag":"named","type":"dhcp","interface":"lo"},
              {"tag":"default","type":"dhcp"},
              {"tag":"legacy","address":"dhcp://auto"},
              {"tag":"legacy-named","address":"dhcp://lo"}
            ]}
            """)) {
      var servers = ((DnsRouter) dns).servers();
      assertThat(servers.values()).allSatisfy(t -> assertThat(t).isInstanceOf(DhcpTransport.class));
      assertThat(servers.get("named").type()).isEqualTo("dhcp");
    }
  }
}
