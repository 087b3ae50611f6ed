package dev.umbra.core.route.srs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bodies worked out by hand from sing-box's layout ({@code common/srs/binary.go}, {@code
 * ip_set.go}, sing's {@code common/domain/{set,matcher}.go}): uvarint counts, big-endian words,
 * breadth-first trie bits. Each vector is checked both ways: our encoder produces it and our
 * decoder reads it back to the same bytes.
 */
class SrsVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] body(String json) {
    return Srs.encodeBody(SrsJson.downgraded(SrsJson.parse(json, "t")));
  }

  private static void assertVector(String json, String hex) throws Exception {
    String compact = hex.replace(" ", "");
    assertThat(HEX.formatHex(body(json))).isEqualTo(compact);
    RuleSetFile file = SrsJson.parse(json, "t");
    RuleSetFile back = Srs.decodeBody(file.version(), HEX.parseHex(compact));
    assertThat(HEX.formatHex(Srs.encodeBody(back))).isEqualTo(compact);
  }

  @Test
  void oneDomain() throws Exception {
    // key "moc.a": a chain of five edges; bitmap ones at 1,3,5,7,9,10 = 0x6aa; node 5 is a leaf.
    assertVector(
        "{\"version\":2,\"rules\":[{\"domain\":\"a.com\"}]}",
        "01 00 02 00 01 0000000000000020 01 00000000000006aa 05 6d6f632e61 ff 00");
  }

  @Test
  void suffixInVersion2UsesTheRootMarker() throws Exception {
    // key "b.a\n": bitmap ones at 1,3,5,7,8 = 0x1aa; leaf node 4.
    assertVector(
        "{\"version\":2,\"rules\":[{\"domain_suffix\":\"a.b\"}]}",
        "01 00 02 00 01 0000000000000010 01 00000000000001aa 04 622e610a ff 00");
  }

  @Test
  void suffixInVersion1IsTheNameAndItsDottedPrefix() throws Exception {
    // keys "b.a" and "b.a.\r": one chain, leaves at nodes 3 and 5.
    assertVector(
        "{\"version\":1,\"rules\":[{\"domain_suffix\":\"a.b\"}]}",
        "01 00 02 00 01 0000000000000028 01 00000000000006aa 05 622e612e0d ff 00");
  }

  @Test
  void domainsBranchBreadthFirst() throws Exception {
    // keys "a", "b", "ba": root has edges a,b (bits 0,1 zero, bit 2 one); node1 (a) leaf, no
    // children (bit 3); node2 (b) leaf, edge a (bit 4 zero, bit 5 one); node3 leaf (bit 6).
    // bitmap ones 2,3,5,6 = 0x6c; leaves nodes 1,2,3 = 0x0e; labels "aba".
    assertVector(
        "{\"version\":2,\"rules\":[{\"domain\":[\"b\",\"a\",\"ab\"]}]}",
        "01 00 02 00 01 000000000000000e 01 000000000000006c 03 616261 ff 00");
  }

  @Test
  void ipCidrsBecomeMergedRanges() throws Exception {
    assertVector(
        "{\"version\":2,\"rules\":[{\"ip_cidr\":[\"192.168.0.0/16\",\"10.0.0.1\",\"10.0.0.0/8\","
            + "\"::1\",\"10.128.0.0/9\"]}]}",
        "01 00 06 01 0000000000000003"
            + " 04 0a000000 04 0affffff"
            + " 04 c0a80000 04 c0a8ffff"
            + " 10 00000000000000000000000000000001 10 00000000000000000000000000000001"
            + " ff 00");
  }

  @Test
  void adjacentRangesMerge() throws Exception {
    assertVector(
        "{\"version\":2,\"rules\":[{\"source_ip_cidr\":[\"10.0.0.0/25\",\"10.0.0.128/25\"]}]}",
        "01 00 05 01 0000000000000001 04 0a000000 04 0a0000ff ff 00");
  }

  @Test
  void stringsPortsAndLogicalRules() throws Exception {
    assertVector(
        "{\"version\":2,\"rules\":[{\"type\":\"logical\",\"mode\":\"or\",\"invert\":true,"
            + "\"rules\":[{\"port\":443,\"port_range\":\"1000:2000\"},"
            + "{\"network\":\"udp\",\"domain_keyword\":[\"ad\",\"x\"],\"invert\":true}]}]}",
        "01 01 01 02"
            + " 00 09 01 01bb 0a 01 09 313030303a32303030 ff 00"
            + " 00 01 01 03 756470 03 02 02 6164 01 78 ff 01"
            + " 01");
  }

  @Test
  void itemsAreWrittenInSingBoxOrder() throws Exception {
    // query_type, network, domain_keyword, source_port, process_name, wifi_ssid: that order,
    // whatever the JSON order.
    assertVector(
        "{\"version\":2,\"rules\":[{\"wifi_ssid\":\"w\",\"process_name\":\"p\",\"source_port\":53,"
            + "\"domain_keyword\":\"k\",\"network\":\"tcp\",\"query_type\":[\"AAAA\",1]}]}",
        "01 00 00 02 001c 0001 01 01 03 746370 03 01 01 6b 07 01 0035 0b 01 01 70 0e 01 01 77"
            + " ff 00");
  }

  @Test
  void versionThreeAndFourItems() throws Exception {
    String json =
        "{\"version\":4,\"rules\":[{\"network_type\":[\"wifi\",\"other\"],"
            + "\"network_is_expensive\":true,\"network_is_constrained\":true,"
            + "\"network_interface_address\":{\"cellular\":\"10.0.0.0/8\"},"
            + "\"default_interface_address\":[\"::1\"]}]}";
    assertVector(
        json,
        "01 00 12 02 00 03 13 14 15 01 01 01 04 0a000000 08 16 01 10"
            + " 00000000000000000000000000000001 80 ff 00");
    assertThat(SrsJson.downgraded(SrsJson.parse(json, "t")).version()).isEqualTo(4);
  }

  @Test
  void compilerLowersTheVersionLikeSingBox() {
    assertThat(SrsJson.downgraded(SrsJson.parse("{\"version\":4,\"rules\":[{\"port\":1}]}", "t")))
        .extracting(RuleSetFile::version)
        .isEqualTo(2);
    assertThat(
            SrsJson.downgraded(
                    SrsJson.parse(
                        "{\"version\":4,\"rules\":[{\"network_is_expensive\":true}]}", "t"))
                .version())
        .isEqualTo(3);
    assertThat(SrsJson.downgraded(SrsJson.parse("{\"version\":1,\"rules\":[]}", "t")).version())
        .isEqualTo(1);
  }

  @Test
  void wholeFileHasMagicVersionAndZlib() throws Exception {
    RuleSetFile f = SrsJson.parse("{\"version\":3,\"rules\":[{\"domain\":\"a.com\"}]}", "t");
    byte[] file = Srs.write(f);
    assertThat(file).startsWith('S', 'R', 'S', 3);
    // zlib header: deflate, 32 KiB window; level flag for best compression.
    assertThat(file[4]).isEqualTo((byte) 0x78);
    assertThat(file[5]).isEqualTo((byte) 0xda);
    RuleSetFile back = Srs.read(file);
    assertThat(back.version()).isEqualTo(3);
    assertThat(Srs.encodeBody(back)).isEqualTo(Srs.encodeBody(f));
  }

  @Test
  void decompileRecoversSourceForm() throws Exception {
    RuleSetFile f =
        SrsJson.parse(
            "{\"version\":2,\"rules\":[{\"domain\":[\"x.org\",\"a.com\"],"
                + "\"domain_suffix\":[\".b.com\",\"c.com\"],\"ip_cidr\":[\"10.0.0.0/7\","
                + "\"2001:db8::/32\",\"::ffff:1.2.3.4\"],\"port\":80}]}",
            "t");
    String json = dev.umbra.core.config.ConfigFiles.toJson(SrsJson.toJson(Srs.read(Srs.write(f))));
    assertThat(json)
        .isEqualTo(
            """
            {
              "version": 2,
              "rules": [
                {
                  "domain": [
                    "a.com",
                    "x.org"
                  ],
                  "domain_suffix": [
                    ".b.com",
                    "c.com"
                  ],
                  "ip_cidr": [
                    "10.0.0.0/7",
                    "::ffff:1.2.3.4/128",
                    "2001:db8::/32"
                  ],
                  "port": 80
                }
              ]
            }
            """);
  }

  @Test
  void versionOneDecompileFoldsTheDottedPrefixBack() throws Exception {
    RuleSetFile f =
        SrsJson.parse("{\"version\":1,\"rules\":[{\"domain_suffix\":[\"a.b\",\".c.d\"]}]}", "t");
    DomainMatcher.Lists lists = ((SrsRule.Default) f.rules().getFirst()).domain().dump();
    assertThat(lists.domains()).isEmpty();
    assertThat(lists.suffixes()).containsExactly(".c.d", "a.b");
  }

  @Test
  void matcherSemantics() {
    DomainMatcher v2 = DomainMatcher.of(List.of("exact.org"), List.of("a.b", ".sub.c"), false);
    DomainMatcher v1 = DomainMatcher.of(List.of("exact.org"), List.of("a.b", ".sub.c"), true);
    for (DomainMatcher m : List.of(v1, v2)) {
      assertThat(m.matches("a.b")).isTrue();
      assertThat(m.matches("x.a.b")).isTrue();
      assertThat(m.matches("y.x.a.b")).isTrue();
      assertThat(m.matches("xa.b")).isFalse();
      assertThat(m.matches("b")).isFalse();
      assertThat(m.matches("sub.c")).isFalse();
      assertThat(m.matches("q.sub.c")).isTrue();
      assertThat(m.matches("exact.org")).isTrue();
      assertThat(m.matches("www.exact.org")).isFalse();
      assertThat(m.matches("exact.or")).isFalse();
    }
  }

  @Test
  void ipPrefixesPrintLikeGo() {
    assertThat(IpSet.of(List.of("10.0.0.1", "10.0.0.2/31", "fe80::/10", "::/0")).prefixes())
        .containsExactly("10.0.0.1/32", "10.0.0.2/31", "::/0");
    assertThat(IpSet.of(List.of("1.0.0.0/24", "1.0.1.0/24", "1.0.2.0/24")).prefixes())
        .containsExactly("1.0.0.0/23", "1.0.2.0/24");
    assertThat(IpText.format(IpText.parse("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
    assertThat(IpText.format(IpText.parse("0:0:1::"))).isEqualTo("0:0:1::");
    assertThat(IpText.parse("1.2.3.04")).isNull();
    assertThat(IpText.parse("fe80::1%eth0")).isNull();
    assertThat(IpText.parse("1::2::3")).isNull();
    assertThat(IpText.parse("::ffff:1.2.3.4")).hasSize(16);
  }

  @Test
  void sourceErrorsNameThePath() {
    assertThatThrownBy(
            () -> SrsJson.parse("{\"version\":2,\"rules\":[{\"ip_cidr\":[\"1.2.3.4/33\"]}]}", "t"))
        .hasMessageContaining("rules[0].ip_cidr[0]");
    assertThatThrownBy(() -> SrsJson.parse("{\"version\":5,\"rules\":[]}", "t"))
        .hasMessageContaining("version");
    assertThatThrownBy(
            () -> SrsJson.parse("{\"version\":2,\"rules\":[{\"network_type\":\"wifi\"}]}", "t"))
        .hasMessageContaining("version 3");
    assertThatThrownBy(() -> SrsJson.parse("{\"version\":2,\"rules\":[{\"bogus\":1}]}", "t"))
        .hasMessageContaining("bogus");
    assertThatThrownBy(() -> SrsJson.parse("{\"version\":2,\"rules\":[{}]}", "t"))
        .hasMessageContaining("condition");
  }
}
