package dev.umbra.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.adapter.DnsService;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.registry.Registry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Load-time checks of the dns block, each error naming its JSON path. */
class DnsConfigTest {

  static ConfigException error(String dnsJson) {
    try {
      TestDns.build(dnsJson).close();
    } catch (ConfigException e) {
      return e;
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no error for " + dnsJson);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"servers\":[{\"type\":\"dhcp\",\"interface\":\"nope0\"}]}|dns.servers[0].interface|no network interface named 'nope0'",
        "{\"servers\":[{\"address\":\"dhcp://nope0\"}]}|dns.servers[0].address|no network interface named 'nope0'",
        "{\"servers\":[{\"type\":\"dhcp\",\"prefer_go\":true}]}|dns.servers[0].prefer_go|",
        "{\"servers\":[{\"type\":\"h3\",\"server\":\"1.1.1.1\",\"tls\":{\"alpn\":[\"h2\"]}}]}|dns.servers[0].tls.alpn|ALPN h3",
        "{\"servers\":[{\"type\":\"carrier-pigeon\"}]}|dns.servers[0].type|unknown DNS server type",
        "{\"servers\":[{\"type\":\"udp\"}]}|dns.servers[0].server|missing server",
        "{\"servers\":[{\"type\":\"udp\",\"server\":\"1.1.1.1\",\"detour\":\"nope\"}]}|dns.servers[0].detour|unknown outbound",
        "{\"servers\":[{\"type\":\"udp\",\"server\":\"1.1.1.1\",\"bogus\":1}]}|dns.servers[0].bogus|unknown field",
        "{\"servers\":[{\"type\":\"https\",\"server\":\"1.1.1.1\",\"method\":\"PUT\"}]}|dns.servers[0].method|GET or POST",
        "{\"servers\":[{\"type\":\"https\",\"server\":\"1.1.1.1\",\"tls\":{\"alpn\":[\"h3\"]}}]}|dns.servers[0].tls.alpn|h2",
        "{\"servers\":[{\"type\":\"tls\",\"server\":\"1.1.1.1\",\"tls\":{\"reality\":{}}}]}|dns.servers[0].tls.reality|",
        "{\"servers\":[{\"type\":\"fakeip\",\"inet4_range\":\"fc00::/18\"}]}|dns.servers[0].inet4_range|IPv4",
        "{\"servers\":[{\"type\":\"fakeip\"}]}|dns.servers[0]|inet4_range",
        "{\"servers\":[{\"type\":\"hosts\",\"predefined\":{\"a.test\":[\"nope\"]}}]}|dns.servers[0].predefined.a.test[0]|IP address",
        "{\"servers\":[{\"type\":\"hosts\",\"path\":[\"/nonexistent/hosts\"]}]}|dns.servers[0].path[0]|cannot read",
        "{\"servers\":[{\"address\":\"fakeip\"}]}|dns.servers[0].address|fakeip",
        "{\"servers\":[{\"address\":\"rcode://teapot\"}]}|dns.servers[0].address|unknown rcode",
        "{\"servers\":[{\"tag\":\"a\",\"type\":\"local\"},{\"tag\":\"a\",\"type\":\"local\"}]}|dns.servers[1].tag|duplicate",
        "{\"servers\":[{\"type\":\"local\"}],\"final\":\"nope\"}|dns.final|unknown DNS server",
        "{\"servers\":[{\"type\":\"local\"}],\"rules\":[{\"domain\":\"a.test\",\"server\":\"nope\"}]}|dns.rules[0].server|unknown DNS server",
        "{\"servers\":[{\"type\":\"local\"}],\"rules\":[{\"domain\":\"a.test\"}]}|dns.rules[0].server|missing server",
        "{\"servers\":[{\"type\":\"local\"}],\"rules\":[{\"ip_cidr\":\"10.0.0\",\"server\":\"0\"}]}|dns.rules[0].ip_cidr[0]|",
        "{\"servers\":[{\"type\":\"local\"}],\"rules\":[{\"query_type\":\"BOGUS\",\"server\":\"0\"}]}|dns.rules[0].query_type|unknown query type",
        "{\"servers\":[{\"type\":\"local\"}],\"rules\":[{\"domain\":\"a\",\"action\":\"predefined\",\"rcode\":\"WHAT\"}]}|dns.rules[0].rcode|unknown rcode",
        "{\"servers\":[{\"type\":\"local\"}],\"rules\":[{\"domain\":\"a\",\"action\":\"predefined\",\"answer\":[\"garbage\"]}]}|dns.rules[0].answer[0]|",
        "{\"servers\":[{\"type\":\"local\"}],\"rules\":[{\"domain\":\"a\",\"action\":\"hijack\"}]}|dns.rules[0].action|unknown DNS rule action",
        "{\"servers\":[{\"type\":\"local\"}],\"rules\":[{\"inbound\":\"nope\",\"server\":\"0\"}]}|dns.rules[0].inbound[0]|unknown inbound",
        "{\"servers\":[{\"type\":\"local\"}],\"client_subnet\":\"10.0.0.0/99\"}|dns.client_subnet|prefix",
        "{\"fakeip\":{\"enabled\":true}}|dns.fakeip|legacy",
        "{\"servers\":[{\"type\":\"udp\",\"tag\":\"u\",\"server\":\"dns.test\",\"domain_resolver\":\"u\"}]}|dns.servers[0].domain_resolver|itself",
      })
  void rejectsWithPath(String json, String path, String message) {
    ConfigException e = error(json);
    assertThat(e.path()).isEqualTo(path);
    if (message != null) {
      assertThat(e.getMessage()).contains(message);
    }
  }

  @Test
  void acceptsLegacyAddressUrls() throws Exception {
    try (DnsService dns =
        TestDns.build(
            """
            {"servers":[
              {"tag":"a","address":"127.0.0.1"},
              {"tag":"b","address":"tcp://127.0.0.1:5353"},
              {"tag":"c","address":"tls://127.0.0.1"},
              {"tag":"d","address":"https://127.0.0.1/dns-query"},
              {"tag":"e","address":"rcode://refused"},
              {"tag":"f","address":"local"}
            ]}
            """)) {
      var q =
          org.xbill.DNS.Message.newQuery(
              org.xbill.DNS.Record.newRecord(
                  org.xbill.DNS.Name.fromString("x.test."), org.xbill.DNS.Type.A, 1));
      var r =
          ((dev.umbra.dns.router.DnsRouter) dns)
              .exchange(
                  q, null, new dev.umbra.core.adapter.DnsQueryOptions("e", null, null, null, null));
      assertThat(r.getRcode()).isEqualTo(org.xbill.DNS.Rcode.REFUSED);
    }
  }

  static ConfigException configError(String json) {
    Registry r = Registry.loadAll();
    try {
      Umbra.check(ConfigLoader.load(Jsonc.parse(json, "test"), r), r, Path.of("."));
    } catch (ConfigException e) {
      return e;
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no error");
  }

  @Test
  void routeAndDialFieldsReferToDnsServers() throws Exception {
    assertThat(
            configError(
                    """
                    {"dns":{"servers":[{"type":"local","tag":"l"}]},
                     "outbounds":[{"type":"direct","tag":"d","domain_resolver":"nope"}]}
                    """)
                .path())
        .isEqualTo("outbounds[0].domain_resolver.server");
    assertThat(
            configError(
                    """
                    {"dns":{"servers":[{"type":"local","tag":"l"}]},
                     "route":{"default_domain_resolver":{"server":"nope"}}}
                    """)
                .path())
        .isEqualTo("route.default_domain_resolver.server");
    assertThat(
            configError(
                    """
                    {"dns":{"servers":[{"type":"local","tag":"l"}]},
                     "route":{"rules":[{"action":"resolve","server":"nope"}]}}
                    """)
                .path())
        .isEqualTo("route.rules[0].server");
    // all good: hijack-dns, resolve with a server, domain_resolver objects
    Registry r = Registry.loadAll();
    Umbra.check(
        ConfigLoader.load(
            Jsonc.parse(
                """
                {"dns":{"servers":[{"type":"local","tag":"l"}]},
                 "outbounds":[{"type":"direct","tag":"d",
                   "domain_resolver":{"server":"l","strategy":"ipv4_only"}}],
                 "route":{"default_domain_resolver":"l",
                   "rules":[{"protocol":"dns","action":"hijack-dns"},
                            {"action":"resolve","server":"l","strategy":"prefer_ipv4"}]}}
                """,
                "test"),
            r),
        r,
        Path.of("."));
  }
}
