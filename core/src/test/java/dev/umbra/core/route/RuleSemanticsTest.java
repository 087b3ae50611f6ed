package dev.umbra.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.route.rule.Rule;
import dev.umbra.core.route.rule.RuleCompiler;
import dev.umbra.core.route.rule.RuleParser;
import dev.umbra.core.route.rule.RuleSet;
import dev.umbra.core.route.rule.RuleSetSource;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** sing-box's rule semantics: OR inside a field, groups of address/port fields, AND across. */
class RuleSemanticsTest {
  private static final Map<String, RuleSet> SETS =
      Map.of(
          "cn-ip",
          new RuleSet(
              "cn-ip",
              RuleSetSource.parseRules(
                  List.of(Jsonc.parse("{\"ip_cidr\": [\"1.0.1.0/24\"]}", "t")), "r")),
          "ads",
          new RuleSet(
              "ads",
              RuleSetSource.parseRules(
                  List.of(Jsonc.parse("{\"domain_suffix\": \"ads.test\"}", "t")), "r")));

  private static Rule rule(String json) {
    RuleParser p = new RuleParser(new RuleCompiler(Set.of("in", "other"), SETS), false);
    return p.parse(Jsonc.parse(json, "t"), "route.rules[0]", Set.of("outbound"));
  }

  private static Metadata to(String host, int port) throws Exception {
    return Metadata.of(
        "in",
        "mixed",
        Network.TCP,
        new InetSocketAddress(InetAddress.getByName("192.168.1.5"), 40000),
        Destination.of(host, port));
  }

  @Test
  void domainFieldsFormOneOrGroupWithIpFields() throws Exception {
    Rule r = rule("{\"domain\": \"a.test\", \"ip_cidr\": \"10.0.0.0/8\", \"outbound\": \"x\"}");
    assertThat(r.match(to("a.test", 80))).isTrue();
    assertThat(r.match(to("10.1.2.3", 80))).isTrue();
    assertThat(r.match(to("b.test", 80))).isFalse();
  }

  @Test
  void groupsAreAndedAndPortsOred() throws Exception {
    Rule r =
        rule(
            "{\"domain_suffix\": \"example.com\", \"port\": [80, 443], \"port_range\": \"8000:8100\"}");
    assertThat(r.match(to("www.example.com", 443))).isTrue();
    assertThat(r.match(to("example.com", 8050))).isTrue();
    assertThat(r.match(to("www.example.com", 22))).isFalse();
    assertThat(r.match(to("notexample.com", 80))).isFalse();
  }

  @Test
  void suffixWithLeadingDotMatchesOnlySubdomains() throws Exception {
    Rule r = rule("{\"domain_suffix\": \".example.com\"}");
    assertThat(r.match(to("a.example.com", 1))).isTrue();
    assertThat(r.match(to("example.com", 1))).isFalse();
  }

  @Test
  void keywordRegexAndOtherFields() throws Exception {
    assertThat(rule("{\"domain_keyword\": \"goo\"}").match(to("www.google.test", 1))).isTrue();
    assertThat(rule("{\"domain_regex\": \"^api\\\\.\"}").match(to("api.x.test", 1))).isTrue();
    assertThat(rule("{\"inbound\": \"other\"}").match(to("x.test", 1))).isFalse();
    assertThat(rule("{\"network\": \"tcp\", \"inbound\": [\"in\"]}").match(to("x.test", 1)))
        .isTrue();
    assertThat(rule("{\"ip_version\": 6}").match(to("::1", 1))).isTrue();
    assertThat(rule("{\"ip_version\": 6}").match(to("127.0.0.1", 1))).isFalse();
    assertThat(
            rule("{\"source_ip_is_private\": true, \"source_port_range\": \"40000:\"}")
                .match(to("x.test", 1)))
        .isTrue();
    assertThat(rule("{\"source_ip_cidr\": \"10.0.0.0/8\"}").match(to("x.test", 1))).isFalse();
    assertThat(rule("{\"ip_is_private\": true}").match(to("172.16.3.4", 1))).isTrue();
    assertThat(rule("{\"ip_is_private\": true}").match(to("8.8.8.8", 1))).isFalse();
    assertThat(rule("{\"auth_user\": \"bob\"}").match(to("x.test", 1).withUser("bob"))).isTrue();
    assertThat(rule("{\"protocol\": \"tls\"}").match(to("x.test", 1).withSniffed("tls", "y.test")))
        .isTrue();
  }

  @Test
  void invertAndLogicalRules() throws Exception {
    assertThat(rule("{\"domain\": \"a.test\", \"invert\": true}").match(to("b.test", 1))).isTrue();
    Rule and =
        rule(
            "{\"type\": \"logical\", \"mode\": \"and\", \"rules\": [{\"network\": \"tcp\"}, {\"port\": 443}]}");
    assertThat(and.match(to("x.test", 443))).isTrue();
    assertThat(and.match(to("x.test", 80))).isFalse();
    Rule or =
        rule(
            "{\"type\": \"logical\", \"mode\": \"or\", \"rules\": [{\"port\": 22}, {\"domain\": \"a.test\"}], \"invert\": true}");
    assertThat(or.match(to("a.test", 80))).isFalse();
    assertThat(or.match(to("b.test", 80))).isTrue();
  }

  @Test
  void ruleSetItemsJoinTheRulesAddressGroup() throws Exception {
    Rule r = rule("{\"domain\": \"direct.test\", \"rule_set\": \"cn-ip\"}");
    assertThat(r.match(to("direct.test", 1))).isTrue(); // own domain item satisfies the group
    assertThat(r.match(to("1.0.1.9", 1))).isTrue(); // the rule-set's ip_cidr satisfies it
    assertThat(r.match(to("2.2.2.2", 1))).isFalse();
    assertThat(rule("{\"rule_set\": [\"ads\", \"cn-ip\"]}").match(to("x.ads.test", 1))).isTrue();
  }

  @Test
  void ipCidrMatchesResolvedAddressesOfADomain() throws Exception {
    Rule r = rule("{\"ip_cidr\": \"10.0.0.0/8\"}");
    Metadata m = to("internal.test", 80);
    assertThat(r.match(m)).isFalse();
    assertThat(r.match(m.withDestinationAddresses(List.of(InetAddress.getByName("10.9.9.9")))))
        .isTrue();
  }

  @Test
  void badValuesNameTheirPath() {
    assertThatThrownBy(() -> rule("{\"ip_cidr\": [\"10.0.0.0/8\", \"10.0.0.0/33\"]}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("route.rules[0].ip_cidr[1]: invalid prefix length");
    assertThatThrownBy(() -> rule("{\"port_range\": \"9:1\"}"))
        .hasMessageStartingWith("route.rules[0].port_range[0]: invalid port range");
    assertThatThrownBy(() -> rule("{\"inbound\": \"nope\"}"))
        .hasMessage("route.rules[0].inbound[0]: unknown inbound 'nope'");
    assertThatThrownBy(() -> rule("{\"rule_set\": \"nope\"}"))
        .hasMessage("route.rules[0].rule_set[0]: unknown rule-set 'nope'");
    assertThatThrownBy(() -> rule("{\"process_name\": \"curl\"}"))
        .hasMessage("route.rules[0].process_name: field 'process_name' is not supported yet");
    assertThatThrownBy(() -> rule("{\"type\": \"logical\", \"mode\": \"xor\", \"rules\": [{}]}"))
        .hasMessageStartingWith("route.rules[0].mode: expected 'and' or 'or'");
  }
}
