package dev.umbra.tor.path;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.tor.dir.Consensus;
import dev.umbra.tor.dir.Microdescriptor;
import dev.umbra.tor.dir.NetDir;
import dev.umbra.tor.dir.PortPolicy;
import dev.umbra.tor.dir.Relay;
import dev.umbra.tor.dir.RouterStatus;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PathSelectorTest {
  private static Relay relay(
      int n, String ip, long bw, Set<String> flags, boolean exit, List<String> family)
      throws Exception {
    byte[] id = new byte[20];
    id[19] = (byte) n;
    RouterStatus rs =
        new RouterStatus(
            "r" + n,
            id,
            InetAddress.getByName(ip),
            9000 + n,
            0,
            flags,
            bw,
            false,
            "",
            new byte[32]);
    PortPolicy p = exit ? PortPolicy.parse("accept", "1-65535") : PortPolicy.REJECT_ALL;
    Microdescriptor md =
        new Microdescriptor(new byte[32], new byte[32], new byte[32], family, p, "");
    return new Relay(rs, md);
  }

  private static NetDir dir(List<Relay> relays, Map<String, Integer> weights) {
    Consensus c =
        new Consensus(
            Instant.EPOCH,
            Instant.EPOCH,
            Instant.EPOCH.plusSeconds(60),
            Map.of(),
            weights,
            List.of(),
            List.of(),
            new byte[32]);
    return new NetDir(c, relays, Instant.EPOCH);
  }

  private static String fp(int n) {
    byte[] id = new byte[20];
    id[19] = (byte) n;
    return HexFormat.of().withUpperCase().formatHex(id);
  }

  @Test
  void exitIsChosenByPolicyAndPathsAreDistinct() throws Exception {
    List<Relay> rs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      rs.add(relay(i, "127.0.0.1", 10, Set.of("Guard", "Running", "Valid"), i == 5, List.of()));
    }
    NetDir nd = dir(rs, Map.of());
    PathSelector ps = new PathSelector(false);
    for (int k = 0; k < 50; k++) {
      Relay exit = ps.exit(nd, 443, List.of());
      assertThat(exit.status().nickname()).isEqualTo("r5");
      Relay guard = ps.guard(nd, List.of(exit));
      Relay middle = ps.middle(nd, List.of(guard, exit));
      assertThat(Set.of(exit, guard, middle)).hasSize(3);
    }
  }

  @Test
  void subnetRuleIsEnforcedUnlessSwitchedOff() throws Exception {
    Relay a = relay(1, "10.1.2.3", 10, Set.of("Guard"), true, List.of());
    Relay b = relay(2, "10.1.9.9", 10, Set.of("Guard"), true, List.of());
    Relay c = relay(3, "10.2.0.1", 10, Set.of("Guard"), true, List.of());
    assertThat(new PathSelector(true).compatible(b, List.of(a))).isFalse();
    assertThat(new PathSelector(true).compatible(c, List.of(a))).isTrue();
    assertThat(new PathSelector(false).compatible(b, List.of(a))).isTrue();
  }

  @Test
  void mutuallyDeclaredFamiliesAreNeverCombined() throws Exception {
    Relay a = relay(1, "10.1.0.1", 10, Set.of(), true, List.of("$" + fp(2)));
    Relay b = relay(2, "10.2.0.1", 10, Set.of(), true, List.of("$" + fp(1)));
    Relay oneSided = relay(3, "10.3.0.1", 10, Set.of(), true, List.of("$" + fp(1)));
    PathSelector ps = new PathSelector(true);
    assertThat(ps.compatible(b, List.of(a))).isFalse();
    assertThat(ps.compatible(oneSided, List.of(a))).isTrue();
  }

  @Test
  void choiceFollowsBandwidthWeights() throws Exception {
    Relay heavy = relay(1, "10.1.0.1", 900, Set.of("Guard"), false, List.of());
    Relay light = relay(2, "10.2.0.1", 100, Set.of("Guard"), false, List.of());
    NetDir nd = dir(List.of(heavy, light), Map.of("Wgg", 10000, "Wmg", 10000));
    PathSelector ps = new PathSelector(true);
    int heavyCount = 0;
    for (int i = 0; i < 2000; i++) {
      if (ps.guard(nd, List.of()).equals(heavy)) {
        heavyCount++;
      }
    }
    assertThat(heavyCount).isBetween(1600, 1990); // expectation 1800
    assertThat(PathSelector.weight(Map.of("Wgg", 5000), heavy, PathSelector.Position.GUARD))
        .isEqualTo(450.0);
  }

  @Test
  void zeroBandwidthFallsBackToUniform() throws Exception {
    Relay a = relay(1, "10.1.0.1", 0, Set.of("Guard"), true, List.of());
    Relay b = relay(2, "10.2.0.1", 0, Set.of("Guard"), true, List.of());
    NetDir nd = dir(List.of(a, b), new HashMap<>());
    PathSelector ps = new PathSelector(true);
    Set<Relay> seen = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      seen.add(ps.middle(nd, List.of()));
    }
    assertThat(seen).containsExactlyInAnyOrder(a, b);
    assertThat(ps.exit(dir(List.of(), Map.of()), 80, List.of())).isNull();
  }

  private static Relay withMd(Relay r, Microdescriptor md) {
    return new Relay(r.status(), md);
  }

  @Test
  void sharedFamilyIdsAreOneFamilyWithoutMutualDeclarations() throws Exception {
    String md1 =
        """
        onion-key
        ntor-onion-key 4CiloqyfQ14YL08HojfN1jtY1rjEspE+SRizKQ1rO0s
        family-ids ed25519:AAAAFamilyKeyOne ed25519:BBBBFamilyKeyTwo
        id ed25519 KsOaeNYmlhq2Us0k97RaokZYrQcvpBtWm2PB5HD5LOY
        """;
    String md2 =
        """
        onion-key
        ntor-onion-key sKRkZSwHERrJzwHqEkMwyGOXFws5jdBU6OKe9ummyAs
        family-ids ed25519:BBBBFamilyKeyTwo
        """;
    String md3 =
        """
        onion-key
        ntor-onion-key aiK+bk7g0sNSWAAMVmf1WBQam4rBDG35UPaZi4c6jUw
        family-ids ed25519:CCCCOther futureformat:xyz
        """;
    Microdescriptor m1 = Microdescriptor.parse(md1);
    assertThat(m1.familyIds())
        .containsExactly("ed25519:AAAAFamilyKeyOne", "ed25519:BBBBFamilyKeyTwo");
    assertThat(Microdescriptor.parse(md3).familyIds()).contains("futureformat:xyz");
    Relay a = withMd(relay(1, "10.1.0.1", 10, Set.of(), true, List.of()), m1);
    Relay b =
        withMd(relay(2, "10.2.0.1", 10, Set.of(), true, List.of()), Microdescriptor.parse(md2));
    Relay c =
        withMd(relay(3, "10.3.0.1", 10, Set.of(), true, List.of()), Microdescriptor.parse(md3));
    PathSelector ps = new PathSelector(true);
    assertThat(ps.compatible(b, List.of(a))).isFalse();
    assertThat(ps.compatible(a, List.of(b))).isFalse();
    assertThat(ps.compatible(c, List.of(a, b))).isTrue();
    NetDir nd = dir(List.of(a, b, c), Map.of());
    for (int i = 0; i < 50; i++) {
      assertThat(ps.middle(nd, List.of(a))).isEqualTo(c);
    }
    String tooMany =
        "ntor-onion-key sKRkZSwHERrJzwHqEkMwyGOXFws5jdBU6OKe9ummyAs\nfamily-ids"
            + " x".repeat(65)
            + "\n";
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Microdescriptor.parse(tooMany))
        .isInstanceOf(dev.umbra.tor.dir.DirException.class);
  }

  @Test
  void fastForEveryHopAndStableForLongLivedPorts() throws Exception {
    Relay fastStable = relay(1, "10.1.0.1", 10, Set.of("Fast", "Stable"), true, List.of());
    Relay fastOnly = relay(2, "10.2.0.1", 10, Set.of("Fast"), true, List.of());
    Relay slow = relay(3, "10.3.0.1", 1000, Set.of("Stable"), true, List.of());
    NetDir nd = dir(List.of(fastStable, fastOnly, slow), Map.of());
    PathSelector ps = new PathSelector(true);
    Set<Relay> web = new java.util.HashSet<>();
    Set<Relay> ssh = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      web.add(ps.exit(nd, 443, List.of()));
      ssh.add(ps.exit(nd, 22, List.of()));
      assertThat(ps.middle(nd, List.of(), true)).isEqualTo(fastStable);
    }
    assertThat(web).containsExactlyInAnyOrder(fastStable, fastOnly); // never the non-Fast one
    assertThat(ssh).containsExactly(fastStable); // 22 is a LongLivedPort
    assertThat(PathSelector.needsStable(6667)).isTrue();
    assertThat(PathSelector.needsStable(80)).isFalse();
    // no relay with the flags: C tor's fallback to every relay
    NetDir onlySlow = dir(List.of(slow), Map.of());
    assertThat(ps.exit(onlySlow, 22, List.of())).isEqualTo(slow);
  }
}
