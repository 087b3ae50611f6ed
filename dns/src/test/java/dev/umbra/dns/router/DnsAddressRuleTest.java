package dev.umbra.dns.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.DnsQueryOptions;
import dev.umbra.core.config.ConfigException;
import dev.umbra.dns.TestDns;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** sing-box's two-pass matching of DNS rules with response-address fields, on hosts servers. */
class DnsAddressRuleTest {
  static final String SERVERS =
      """
      {"type":"hosts","tag":"cn","predefined":{"a.test":["10.0.0.1"],"b.test":["192.0.2.9"],
        "empty.test":[]}},
      {"type":"hosts","tag":"global","predefined":{"a.test":["198.51.100.1"],
        "b.test":["198.51.100.2"],"empty.test":["198.51.100.3"]}},
      {"type":"hosts","tag":"last","predefined":{"a.test":["203.0.113.1"],
        "b.test":["203.0.113.2"],"empty.test":["203.0.113.3"]}}
      """;

  static DnsRouter router(String rules) {
    return (DnsRouter)
        TestDns.build(
            "{\"servers\":[%s],\"rules\":%s,\"final\":\"last\"}".formatted(SERVERS, rules));
  }

  static String answer(DnsRouter r, String name) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN));
    List<String> out = new ArrayList<>();
    for (Record rec : r.exchange(q, null, DnsQueryOptions.DEFAULT).getSection(Section.ANSWER)) {
      out.add(((ARecord) rec).getAddress().getHostAddress());
    }
    return String.join(",", out);
  }

  @Test
  void ipCidrAcceptsOnlyMatchingAnswers() throws Exception {
    DnsRouter r = router("[{\"ip_cidr\":\"10.0.0.0/8\",\"server\":\"cn\"}]");
    assertThat(answer(r, "a.test")).isEqualTo("10.0.0.1");
    assertThat(answer(r, "b.test")).isEqualTo("203.0.113.2");
  }

  @Test
  void invertedAddressRuleMatchesBeforeTheAnswerAndChecksItAfter() throws Exception {
    DnsRouter r = router("[{\"ip_cidr\":\"10.0.0.0/8\",\"invert\":true,\"server\":\"cn\"}]");
    assertThat(answer(r, "a.test")).isEqualTo("203.0.113.1");
    assertThat(answer(r, "b.test")).isEqualTo("192.0.2.9");
  }

  @Test
  void aDomainInTheSameGroupSatisfiesTheAddressFields() throws Exception {
    // sing-box: domain and ip_cidr form one OR-group: before the answer only the domain can match,
    // and once it has, the group holds whatever the answer is
    DnsRouter r = router("[{\"domain\":\"b.test\",\"ip_cidr\":\"10.0.0.0/8\",\"server\":\"cn\"}]");
    assertThat(answer(r, "b.test")).isEqualTo("192.0.2.9");
    assertThat(answer(r, "a.test")).isEqualTo("203.0.113.1");
  }

  @Test
  void acceptAnyAndEmptyAnswers() throws Exception {
    DnsRouter r =
        router(
            """
            [{"ip_accept_any":true,"server":"cn"},{"ip_is_private":true,"server":"global"}]
            """);
    // cn knows empty.test with no address: NOERROR without answers fails ip_accept_any
    assertThat(answer(r, "empty.test")).isEqualTo("203.0.113.3");
    assertThat(answer(r, "b.test")).isEqualTo("192.0.2.9");
    // an unknown name: NXDOMAIN without answers everywhere
    assertThat(answer(r, "c.test")).isEmpty();
  }

  @Test
  void logicalRulesCombineAddressSubRules() throws Exception {
    DnsRouter r =
        router(
            """
            [{"type":"logical","mode":"or","rules":[
                {"ip_cidr":"10.0.0.0/8"},{"ip_cidr":"192.0.2.0/24"}],"server":"cn"},
             {"type":"logical","mode":"and","rules":[
                {"domain_suffix":"test"},{"ip_is_private":true,"invert":true}],"server":"global"}]
            """);
    assertThat(answer(r, "a.test")).isEqualTo("10.0.0.1");
    assertThat(answer(r, "b.test")).isEqualTo("192.0.2.9");
    assertThat(answer(r, "empty.test")).isEqualTo("198.51.100.3");
  }

  @Test
  void ruleSetsWithIpCidrCheckAnswersAndAcceptEmptyWhenAsked() throws Exception {
    String sets =
        """
        [{"type":"inline","tag":"private","rules":[{"ip_cidr":["10.0.0.0/8"]}]}]
        """;
    DnsRouter r =
        (DnsRouter)
            TestDns.buildWithRuleSets(
                """
                {"servers":[%s],"final":"last","rules":[
                  {"rule_set":"private","server":"cn"},
                  {"rule_set":"private","rule_set_ip_cidr_accept_empty":true,"server":"global"}]}
                """
                    .formatted(SERVERS),
                sets);
    assertThat(answer(r, "a.test")).isEqualTo("10.0.0.1");
    // rejected by both: cn's answer is public, global's is public and not empty
    assertThat(answer(r, "b.test")).isEqualTo("203.0.113.2");
    // cn answers empty.test with no address: rejected (no accept_empty); global has one
    assertThat(answer(r, "empty.test")).isEqualTo("203.0.113.3");
  }

  @Test
  void ruleSetsMatchedOnTheSourceSetNoAddressLimit() {
    String sets =
        "[{\"type\":\"inline\",\"tag\":\"p\",\"rules\":[{\"ip_cidr\":[\"10.0.0.0/8\"]}]}]";
    DnsRouter r =
        (DnsRouter)
            TestDns.buildWithRuleSets(
                """
                {"servers":[%s],"final":"last","rules":[
                  {"rule_set":"p","rule_set_ip_cidr_match_source":true,"server":"cn"}]}
                """
                    .formatted(SERVERS),
                sets);
    assertThat(r.rules().getFirst().rule().withAddressLimit()).isFalse();
  }

  @Test
  void rejectedResponsesAreRememberedWhenAnRdrcIsSet() throws Exception {
    DnsRouter r =
        (DnsRouter)
            TestDns.build(
                """
                {"servers":[%s],"final":"last","independent_cache":true,
                 "rules":[{"ip_cidr":"10.0.0.0/8","server":"cn"}]}
                """
                    .formatted(SERVERS));
    List<String> saved = new ArrayList<>();
    int[] hits = new int[1];
    r.rejectedResponseCache(
        new RejectedResponseCache() {
          @Override
          public boolean isRejected(String server, Name name, int type) {
            boolean hit = saved.contains(server + " " + name + " " + type);
            hits[0] += hit ? 1 : 0;
            return hit;
          }

          @Override
          public void reject(String server, Name name, int type) {
            saved.add(server + " " + name + " " + type);
          }
        });
    assertThat(answer(r, "b.test")).isEqualTo("203.0.113.2");
    assertThat(saved).containsExactly("cn b.test. 1");
    assertThat(hits[0]).isZero();
    assertThat(answer(r, "b.test")).isEqualTo("203.0.113.2");
    assertThat(saved).hasSize(1);
    assertThat(hits[0]).isEqualTo(1);
  }

  @Test
  void routeRulesRefuseTheDnsOnlyFields() {
    var parser =
        new dev.umbra.core.route.rule.RuleParser(
            new dev.umbra.core.route.rule.RuleCompiler(java.util.Set.of(), java.util.Map.of()),
            false);
    for (String f : List.of("\"ip_accept_any\":true", "\"rule_set_ip_cidr_accept_empty\":true")) {
      assertThatThrownBy(() ->
              parser.parse(
                  dev.umbra.core.config.Jsonc.parse("{" + f + "}", "r"),
                  "route.rules[0]",
                  java.util.Set.of()))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("only DNS rules");
    }
  }
}
