package dev.umbra.core.route.srs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Round trips and matching against a plain reference implementation, on random inputs. */
class SrsPropertiesTest {

  @Provide
  Arbitrary<String> names() {
    // A small alphabet so random names share suffixes and prefixes often.
    Arbitrary<String> label =
        Arbitraries.strings().withChars("abc-é").ofMinLength(1).ofMaxLength(3);
    return label.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l));
  }

  @Provide
  Arbitrary<String> suffixes() {
    return Arbitraries.oneOf(names(), names().map(n -> "." + n));
  }

  /** sing-box's documented semantics, written plainly. */
  private static boolean reference(List<String> domains, List<String> suffixes, String q) {
    if (domains.contains(q)) {
      return true;
    }
    for (String s : suffixes) {
      if (s.startsWith(".") ? q.endsWith(s) : q.equals(s) || q.endsWith("." + s)) {
        return true;
      }
    }
    return false;
  }

  @Property(tries = 300)
  void domainMatcherAgreesWithReference(
      @ForAll @Size(max = 12) List<@net.jqwik.api.From("names") String> domains,
      @ForAll @Size(max = 12) List<@net.jqwik.api.From("suffixes") String> suffixes,
      @ForAll @Size(min = 1, max = 12) List<@net.jqwik.api.From("names") String> queries,
      @ForAll boolean legacy) {
    if (domains.isEmpty() && suffixes.isEmpty()) {
      return;
    }
    DomainMatcher m = DomainMatcher.of(domains, suffixes, legacy);
    List<String> probes = new ArrayList<>(queries);
    probes.addAll(domains);
    suffixes.forEach(s -> probes.add(s.startsWith(".") ? "x" + s : "y." + s));
    for (String q : probes) {
      assertThat(m.matches(q)).as(q).isEqualTo(reference(domains, suffixes, q));
    }
  }

  @Property(tries = 300)
  void domainSetSurvivesBinaryAndDump(
      @ForAll @Size(max = 12) List<@net.jqwik.api.From("names") String> domains,
      @ForAll @Size(max = 12) List<@net.jqwik.api.From("suffixes") String> suffixes,
      @ForAll boolean legacy)
      throws Exception {
    if (domains.isEmpty() && suffixes.isEmpty()) {
      return;
    }
    DomainMatcher m = DomainMatcher.of(domains, suffixes, legacy);
    ByteWriter w = new ByteWriter();
    m.write(w);
    byte[] bytes = w.toByteArray();
    DomainMatcher back = DomainMatcher.read(new ByteReader(bytes));
    assertThat(back).isEqualTo(m);
    // What decompile recovers matches the same names. (Not always the same bytes: like
    // sing-box's, the dump folds a name plus its dotted suffix into one plain suffix.)
    DomainMatcher.Lists lists = back.dump();
    DomainMatcher again = DomainMatcher.of(lists.domains(), lists.suffixes(), legacy);
    List<String> probes = new ArrayList<>(domains);
    for (String s : suffixes) {
      probes.add(s.startsWith(".") ? s.substring(1) : s);
      probes.add(s.startsWith(".") ? "x" + s : "y." + s);
      probes.add("q" + s);
    }
    for (String q : probes) {
      assertThat(again.matches(q)).as(q).isEqualTo(m.matches(q));
    }
    Set<String> seen = new HashSet<>();
    for (byte[] k : back.keys()) {
      assertThat(seen.add(new String(k, java.nio.charset.StandardCharsets.ISO_8859_1))).isTrue();
    }
  }

  @Provide
  Arbitrary<String> cidrs() {
    Arbitrary<String> v4 =
        Combinators.combine(
                Arbitraries.integers().between(0, 255).list().ofSize(4),
                Arbitraries.integers().between(0, 32))
            .as((b, p) -> b.get(0) + "." + b.get(1) + "." + b.get(2) + "." + b.get(3) + "/" + p);
    Arbitrary<String> v6 =
        Combinators.combine(
                Arbitraries.integers().between(0, 0xffff).list().ofSize(8),
                Arbitraries.integers().between(0, 128))
            .as((g, p) ->
                String.join(":", g.stream().map(Integer::toHexString).toList()) + "/" + p);
    return Arbitraries.oneOf(v4, v4, v6);
  }

  @Property(tries = 300)
  void ipSetAgreesWithPrefixesAndRoundTrips(
      @ForAll @Size(min = 1, max = 10) List<@net.jqwik.api.From("cidrs") String> cidrs,
      @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 1000) Integer> picks)
      throws Exception {
    IpSet set = IpSet.of(cidrs);
    ByteWriter w = new ByteWriter();
    set.write(w);
    IpSet back = IpSet.read(new ByteReader(w.toByteArray()));
    assertThat(back).isEqualTo(set);
    // The printed prefixes describe exactly the same set.
    assertThat(IpSet.of(set.prefixes())).isEqualTo(set);
    List<IpPrefix> parsed = cidrs.stream().map(IpPrefix::parse).toList();
    for (int pick : picks) {
      IpPrefix p = parsed.get(pick % parsed.size());
      for (byte[] probe : probes(p, pick)) {
        InetAddress a = InetAddress.getByAddress(probe);
        boolean expected = parsed.stream().anyMatch(c -> within(c, probe));
        if (probe.length == 16 && a.getAddress().length == 4) {
          continue; // the JDK turns IPv4-mapped IPv6 into IPv4; skip those probes
        }
        assertThat(set.contains(a)).as(a.toString()).isEqualTo(expected);
      }
    }
  }

  private static List<byte[]> probes(IpPrefix p, int salt) {
    BigInteger base = new BigInteger(1, p.address());
    int bits = p.address().length * 8;
    BigInteger size = BigInteger.ONE.shiftLeft(bits - p.bits());
    BigInteger first = base.shiftRight(bits - p.bits()).shiftLeft(bits - p.bits());
    BigInteger max = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
    List<byte[]> out = new ArrayList<>();
    for (BigInteger v :
        List.of(
            first,
            first.add(size).subtract(BigInteger.ONE),
            first.subtract(BigInteger.ONE),
            first.add(size),
            first.add(BigInteger.valueOf(salt).mod(size)))) {
      if (v.signum() >= 0 && v.compareTo(max) <= 0) {
        out.add(bytes(v, p.address().length));
      }
    }
    return out;
  }

  private static byte[] bytes(BigInteger v, int len) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[len];
    int n = Math.min(len, raw.length);
    System.arraycopy(raw, raw.length - n, out, len - n, n);
    return out;
  }

  private static boolean within(IpPrefix c, byte[] a) {
    if (a.length != c.address().length) {
      return false;
    }
    int bits = a.length * 8;
    BigInteger x = new BigInteger(1, a).shiftRight(bits - c.bits());
    BigInteger y = new BigInteger(1, c.address()).shiftRight(bits - c.bits());
    return x.equals(y);
  }

  @Provide
  Arbitrary<String> ruleSets() {
    Arbitrary<String> rule =
        Arbitraries.of(
            "{\"domain\":[\"a.com\",\"b.org\"],\"domain_suffix\":\".c.net\"}",
            "{\"domain_suffix\":[\"x.y\",\"z\"],\"domain_keyword\":\"k\",\"invert\":true}",
            "{\"ip_cidr\":[\"10.0.0.0/8\",\"fd00::/8\"],\"port\":[80,443],\"network\":\"tcp\"}",
            "{\"source_ip_cidr\":\"192.168.0.0/16\",\"source_port_range\":\"1000:2000\"}",
            "{\"domain_regex\":\"^a.*\\\\.com$\",\"port_range\":[\":100\",\"200:\"]}",
            "{\"type\":\"logical\",\"mode\":\"and\",\"rules\":[{\"port\":1},"
                + "{\"type\":\"logical\",\"mode\":\"or\",\"invert\":true,\"rules\":[{\"network\":\"udp\"}]}]}",
            "{\"process_name\":\"curl\",\"package_name\":\"p\",\"wifi_ssid\":\"s\",\"wifi_bssid\":\"b\","
                + "\"process_path\":\"/x\",\"process_path_regex\":\"y\",\"query_type\":[1,\"MX\"]}");
    return Combinators.combine(Arbitraries.integers().between(1, 2), rule.list().ofMaxSize(6))
        .as((v, rs) -> "{\"version\":" + v + ",\"rules\":[" + String.join(",", rs) + "]}");
  }

  @Property(tries = 200)
  void filesRoundTripByteForByte(@ForAll("ruleSets") String json) throws Exception {
    RuleSetFile f = SrsJson.downgraded(SrsJson.parse(json, "t"));
    byte[] body = Srs.encodeBody(f);
    byte[] file = Srs.write(f);
    RuleSetFile back = Srs.read(file);
    assertThat(back.version()).isEqualTo(f.version());
    assertThat(Srs.encodeBody(back)).isEqualTo(body);
    assertThat(Srs.write(back)).isEqualTo(file);
    // decompile then compile gives the same body again
    String source = dev.umbra.core.config.ConfigFiles.toJson(SrsJson.toJson(back));
    assertThat(Srs.encodeBody(SrsJson.downgraded(SrsJson.parse(source, "d")))).isEqualTo(body);
  }
}
