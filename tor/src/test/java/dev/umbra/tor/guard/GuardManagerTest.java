package dev.umbra.tor.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.tor.dir.Consensus;
import dev.umbra.tor.dir.Microdescriptor;
import dev.umbra.tor.dir.NetDir;
import dev.umbra.tor.dir.PortPolicy;
import dev.umbra.tor.dir.Relay;
import dev.umbra.tor.dir.RouterStatus;
import dev.umbra.tor.guard.GuardManager.CircuitState;
import dev.umbra.tor.guard.GuardManager.Usage;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guard-spec state machine with a fake consensus and a fake clock. */
class GuardManagerTest {
  static final Set<String> GUARD = Set.of("Guard", "Stable", "Fast", "V2Dir", "Valid", "Running");

  /** A clock the test moves by hand. */
  static final class FakeClock implements InstantSource {
    Instant now = Instant.parse("2026-11-23T12:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  final FakeClock clock = new FakeClock();
  @TempDir Path tmp;

  static Relay relay(int n, Set<String> flags, long bw) throws Exception {
    byte[] id = new byte[20];
    id[18] = (byte) (n >> 8);
    id[19] = (byte) n;
    RouterStatus rs =
        new RouterStatus(
            "g" + n,
            id,
            InetAddress.getByAddress(new byte[] {10, (byte) n, 0, 1}),
            9001,
            0,
            flags,
            bw,
            false,
            "",
            new byte[32]);
    return new Relay(
        rs,
        new Microdescriptor(
            new byte[32], new byte[32], null, List.of(), PortPolicy.REJECT_ALL, ""));
  }

  static String fp(int n) {
    byte[] id = new byte[20];
    id[18] = (byte) (n >> 8);
    id[19] = (byte) n;
    return HexFormat.of().withUpperCase().formatHex(id);
  }

  NetDir dir(List<Relay> relays, Map<String, Integer> params) {
    Consensus c =
        new Consensus(
            clock.now,
            clock.now.plusSeconds(3600),
            clock.now.plusSeconds(3 * 3600),
            params,
            Map.of(),
            List.of(),
            List.of(),
            new byte[32]);
    return new NetDir(c, relays, clock.now);
  }

  /** 30 possible guards (1..30) and 5 relays lacking Stable (31..35). */
  NetDir network() throws Exception {
    List<Relay> rs = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      rs.add(relay(i, GUARD, 100 + i));
    }
    for (int i = 31; i <= 35; i++) {
      rs.add(relay(i, Set.of("Guard", "Fast", "V2Dir", "Valid", "Running"), 1000));
    }
    return dir(rs, Map.of());
  }

  GuardManager manager(Path state, GuardManager.Filter filter) {
    return new GuardManager(
        state == null ? null : new GuardStateFile(state), filter, clock, new Random(7));
  }

  @Test
  void sampleFilteredAndPrimaryGuards() throws Exception {
    GuardManager gm = manager(null, GuardManager.Filter.NONE);
    gm.onDirectory(network());
    // max sample = max(min(60, 20% of 30), min filtered sample 20) = 20
    assertThat(gm.sampledGuards()).hasSize(20).doesNotHaveDuplicates();
    for (int i = 31; i <= 35; i++) {
      assertThat(gm.sampledGuards()).doesNotContain(fp(i)); // not Stable: never a guard
    }
    assertThat(gm.primaryGuards()).containsExactlyElementsOf(gm.sampledGuards().subList(0, 3));
    assertThat(gm.confirmedGuards()).isEmpty();

    GuardManager.Selection s = gm.select(Usage.DATA, r -> true);
    // one usable primary guard for user circuits: always the first
    assertThat(s.relay().status().fingerprint()).isEqualTo(gm.primaryGuards().getFirst());
    assertThat(s.state()).isEqualTo(CircuitState.USABLE_ON_COMPLETION);
    assertThat(s.succeeded()).isTrue();
    assertThat(gm.confirmedGuards()).containsExactly(gm.primaryGuards().getFirst());

    // directory fetches spread over the first three primary guards
    Set<String> dirGuards = new java.util.HashSet<>();
    for (int i = 0; i < 60; i++) {
      GuardManager.Selection d = gm.select(Usage.DIRECTORY, r -> true);
      dirGuards.add(d.relay().status().fingerprint());
      d.close();
    }
    assertThat(dirGuards).containsExactlyInAnyOrderElementsOf(gm.primaryGuards());
  }

  @Test
  void samplingFollowsBandwidth() throws Exception {
    List<Relay> rs = new ArrayList<>();
    rs.add(relay(1, GUARD, 1_000_000));
    for (int i = 2; i <= 60; i++) {
      rs.add(relay(i, GUARD, 1));
    }
    int heavyFirst = 0;
    for (int k = 0; k < 20; k++) {
      GuardManager gm = new GuardManager(null, GuardManager.Filter.NONE, clock, new Random(k));
      gm.onDirectory(dir(rs, Map.of()));
      if (gm.sampledGuards().getFirst().equals(fp(1))) {
        heavyFirst++;
      }
    }
    assertThat(heavyFirst).isGreaterThanOrEqualTo(18);
  }

  @Test
  void unreachablePrimaryGuardsAreSkippedAndRetriedOnSchedule() throws Exception {
    GuardManager gm = manager(null, GuardManager.Filter.NONE);
    gm.onDirectory(network());
    List<String> primary = gm.primaryGuards();
    gm.select(Usage.DATA, r -> true).failed();
    assertThat(gm.isDown(primary.get(0))).isTrue();
    assertThat(gm.currentGuard()).isEqualTo(primary.get(1));
    GuardManager.Selection s = gm.select(Usage.DATA, r -> true);
    assertThat(s.relay().status().fingerprint()).isEqualTo(primary.get(1));
    assertThat(s.state()).isEqualTo(CircuitState.USABLE_ON_COMPLETION);
    assertThat(s.succeeded()).isTrue();

    clock.advance(Duration.ofMinutes(9));
    assertThat(gm.select(Usage.DATA, r -> true).relay().status().fingerprint())
        .isEqualTo(primary.get(1));
    assertThat(gm.isDown(primary.get(0))).isTrue();
    clock.advance(Duration.ofMinutes(1)); // PRIMARY_GUARDS_RETRY_SCHED: every 10 min at first
    // the confirmed guard now leads the primary guards; the other one is "maybe" up again
    assertThat(gm.select(Usage.DATA, r -> true).relay().status().fingerprint())
        .isEqualTo(primary.get(1));
    assertThat(gm.primaryGuards()).startsWith(primary.get(1), primary.get(0));
    assertThat(gm.isDown(primary.get(0))).isFalse();

    assertThat(GuardManager.retryInterval(true, Duration.ofHours(7)))
        .isEqualTo(Duration.ofMinutes(90));
    assertThat(GuardManager.retryInterval(false, Duration.ofHours(1)))
        .isEqualTo(Duration.ofHours(1));
    assertThat(GuardManager.retryInterval(false, Duration.ofDays(30)))
        .isEqualTo(Duration.ofHours(36));
  }

  @Test
  void directoryGuardsThatCannotBeReachedAreMarkedDown() throws Exception {
    GuardManager gm = manager(null, GuardManager.Filter.NONE);
    gm.onDirectory(network());
    List<String> primary = gm.primaryGuards();
    assertThat(gm.directoryGuards()).containsExactlyInAnyOrderElementsOf(primary);
    gm.noteUnreachable(primary.get(0));
    assertThat(gm.isDown(primary.get(0))).isTrue();
    assertThat(gm.directoryGuards()).containsExactlyInAnyOrder(primary.get(1), primary.get(2));
    assertThat(gm.currentGuard()).isEqualTo(primary.get(1));
    gm.noteUnreachable(fp(33)); // not sampled: nothing happens
    assertThat(gm.sampledGuards()).doesNotContain(fp(33));
  }

  @Test
  void allPrimaryGuardsDownMeansExploringTheSampleInOrder() throws Exception {
    GuardManager gm = manager(null, GuardManager.Filter.NONE);
    gm.onDirectory(dir(network().relays(), Map.of("guard-n-primary-guards", 1)));
    assertThat(gm.select(Usage.DATA, r -> true).succeeded()).isTrue(); // we are online
    gm.select(Usage.DATA, r -> true).failed();
    assertThat(gm.currentGuard()).isNull();
    List<String> sample = gm.sampledGuards();
    GuardManager.Selection a = gm.select(Usage.DATA, r -> true);
    GuardManager.Selection b = gm.select(Usage.DATA, r -> true);
    assertThat(a.state()).isEqualTo(CircuitState.USABLE_IF_NO_BETTER_GUARD);
    assertThat(b.state()).isEqualTo(CircuitState.USABLE_IF_NO_BETTER_GUARD);
    // sample order, one exploratory circuit per guard (the first one is pending now)
    assertThat(a.relay().status().fingerprint()).isEqualTo(sample.get(1));
    assertThat(b.relay().status().fingerprint()).isEqualTo(sample.get(2));
    // every primary is down and nothing better is up: usable at once, and confirmed
    assertThat(a.succeeded()).isTrue();
    // b's guard is confirmed after a's: a's complete circuit blocks b
    assertThat(b.succeeded()).isFalse();
    assertThat(b.state()).isEqualTo(CircuitState.WAITING_FOR_BETTER_GUARD);
    assertThat(b.awaitUsable(Duration.ofMillis(50))).isFalse();
    a.failed();
    assertThat(b.awaitUsable(Duration.ofSeconds(5))).isTrue();
    assertThat(gm.confirmedGuards()).containsExactly(sample.get(0), sample.get(1), sample.get(2));
  }

  @Test
  void aPendingBetterGuardBlocksOnlyForTheConnectTimeout() throws Exception {
    GuardManager gm = manager(null, GuardManager.Filter.NONE);
    gm.onDirectory(dir(network().relays(), Map.of("guard-n-primary-guards", 1)));
    assertThat(gm.select(Usage.DATA, r -> true).succeeded()).isTrue();
    gm.select(Usage.DATA, r -> true).failed(); // the only primary guard goes down
    GuardManager.Selection first = gm.select(Usage.DATA, r -> true);
    assertThat(first.succeeded()).isTrue(); // confirmed, second in the confirmed list
    first.close();
    String better = first.relay().status().fingerprint();
    GuardManager.Selection second =
        gm.select(Usage.DATA, r -> !r.status().fingerprint().equals(better));
    assertThat(second.succeeded()).isTrue(); // third in the confirmed list
    second.close();
    GuardManager.Selection c = gm.select(Usage.DATA, r -> true);
    assertThat(c.relay().status().fingerprint()).isEqualTo(better); // confirmed order
    GuardManager.Selection d = gm.select(Usage.DATA, r -> true); // c's guard is pending
    assertThat(d.relay()).isEqualTo(second.relay());
    assertThat(d.succeeded()).isFalse(); // c may still finish through a better guard
    assertThat(d.awaitUsable(Duration.ofMillis(50))).isFalse();
    clock.advance(Duration.ofSeconds(16)); // NONPRIMARY_GUARD_CONNECT_TIMEOUT passed
    assertThat(d.awaitUsable(Duration.ofSeconds(5))).isTrue();
    c.close();
  }

  @Test
  void waitingCircuitsTimeOutWhenIdle() throws Exception {
    GuardManager gm = manager(null, GuardManager.Filter.NONE);
    gm.onDirectory(dir(network().relays(), Map.of("guard-n-primary-guards", 1)));
    assertThat(gm.select(Usage.DATA, r -> true).succeeded()).isTrue();
    gm.select(Usage.DATA, r -> true).failed();
    GuardManager.Selection a = gm.select(Usage.DATA, r -> true);
    GuardManager.Selection b = gm.select(Usage.DATA, r -> true);
    assertThat(a.succeeded()).isTrue();
    assertThat(b.succeeded()).isFalse();
    clock.advance(Duration.ofMinutes(11)); // NONPRIMARY_GUARD_IDLE_TIMEOUT
    assertThat(b.awaitUsable(Duration.ofSeconds(5))).isFalse();
    assertThat(b.state()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void restrictionsSkipPrimaryGuardsTheCircuitCannotUse() throws Exception {
    GuardManager gm = manager(null, GuardManager.Filter.NONE);
    gm.onDirectory(network());
    String first = gm.primaryGuards().getFirst();
    GuardManager.Selection s = gm.select(Usage.DATA, r -> !r.status().fingerprint().equals(first));
    assertThat(s.relay().status().fingerprint()).isEqualTo(gm.primaryGuards().get(1));
    assertThat(s.state()).isEqualTo(CircuitState.USABLE_ON_COMPLETION);
    assertThatThrownBy(() -> gm.select(Usage.DATA, r -> false))
        .hasMessageContaining("no usable guard");
  }

  @Test
  void excludeAndEntryNodesFilterTheSample() throws Exception {
    GuardManager entry =
        manager(null, new GuardManager.Filter(Set.of(fp(2)), Set.of(fp(1), fp(2), fp(3))));
    entry.onDirectory(network());
    assertThat(entry.primaryGuards()).containsExactlyInAnyOrder(fp(1), fp(3));
    for (int i = 0; i < 20; i++) {
      assertThat(entry.select(Usage.DATA, r -> true).relay().status().fingerprint())
          .isIn(fp(1), fp(3));
    }
  }

  @Test
  void unlistedGuardsLeaveThePrimarySetAndExpireFromTheSample() throws Exception {
    GuardManager gm = manager(null, GuardManager.Filter.NONE);
    NetDir nd = network();
    gm.onDirectory(nd);
    String gone = gm.primaryGuards().getFirst();
    List<Relay> without =
        nd.relays().stream().filter(r -> !r.status().fingerprint().equals(gone)).toList();
    gm.onDirectory(dir(without, Map.of()));
    assertThat(gm.primaryGuards()).doesNotContain(gone).hasSize(3);
    assertThat(gm.sampledGuards()).contains(gone);
    clock.advance(Duration.ofDays(21));
    gm.onDirectory(dir(without, Map.of()));
    assertThat(gm.sampledGuards()).doesNotContain(gone);
  }

  @Test
  void consensusParametersApply() throws Exception {
    GuardManager gm = manager(null, GuardManager.Filter.NONE);
    List<Relay> rs = network().relays();
    gm.onDirectory(
        dir(rs, Map.of("guard-n-primary-guards", 2, "guard-min-filtered-sample-size", 5)));
    assertThat(gm.primaryGuards()).hasSize(2);
    assertThat(gm.sampledGuards()).hasSize(5); // enough usable filtered guards
    GuardManager capped = manager(null, GuardManager.Filter.NONE);
    capped.onDirectory(
        dir(rs, Map.of("guard-max-sample-size", 4, "guard-min-filtered-sample-size", 2)));
    assertThat(capped.sampledGuards()).hasSize(2);
  }

  @Test
  void stateIsPersistedAndReloaded() throws Exception {
    Path state = tmp.resolve("state");
    GuardManager gm = manager(state, GuardManager.Filter.NONE);
    gm.onDirectory(network());
    gm.select(Usage.DATA, r -> true).failed();
    GuardManager.Selection s = gm.select(Usage.DATA, r -> true);
    s.succeeded();
    String text = Files.readString(state);
    assertThat(text)
        .contains("Guard in=default rsa_id=" + s.relay().status().fingerprint())
        .contains("confirmed_idx=0")
        .contains("sampled_by=Umbra");

    GuardManager again = manager(state, GuardManager.Filter.NONE);
    again.onDirectory(network());
    assertThat(again.sampledGuards()).isEqualTo(gm.sampledGuards());
    assertThat(again.confirmedGuards()).containsExactly(s.relay().status().fingerprint());
    // the confirmed guard comes first among the primary guards after a restart
    assertThat(again.primaryGuards().getFirst()).isEqualTo(s.relay().status().fingerprint());
  }

  @Test
  void damagedStateFilesAreSurvived() throws Exception {
    Path state = tmp.resolve("state");
    String good =
        "Guard in=default rsa_id="
            + fp(5)
            + " sampled_on=2026-11-01T00:00:00 listed=1"
            + " confirmed_on=2026-11-02T00:00:00 confirmed_idx=0 pb_use_attempts=3.0";
    Files.writeString(
        state,
        String.join(
            "\n",
            "garbage \u0000\u0001",
            "Guard in=default rsa_id=XYZ sampled_on=2026-11-01T00:00:00 listed=1",
            "Guard in=default rsa_id=" + fp(6) + " sampled_on=yesterday listed=1",
            "Guard in=default rsa_id=" + fp(7) + " listed=1",
            "Guard in=bridges rsa_id=" + fp(8) + " sampled_on=2026-11-01T00:00:00 listed=1",
            "Guard oops",
            good,
            good),
        StandardCharsets.ISO_8859_1);
    GuardManager gm = manager(state, GuardManager.Filter.NONE);
    assertThat(gm.sampledGuards()).containsExactly(fp(5));
    assertThat(gm.confirmedGuards()).containsExactly(fp(5));
    gm.onDirectory(network());
    assertThat(gm.primaryGuards().getFirst()).isEqualTo(fp(5));
    assertThat(Files.readString(state)).contains("pb_use_attempts=3.0"); // unknown fields kept

    Files.write(state, new byte[] {(byte) 0xff, 0, 1, 2});
    GuardManager fresh = manager(state, GuardManager.Filter.NONE);
    fresh.onDirectory(network());
    assertThat(fresh.sampledGuards()).hasSize(20);

    Files.createDirectories(tmp.resolve("dir-state"));
    GuardManager unreadable = manager(tmp.resolve("dir-state"), GuardManager.Filter.NONE);
    assertThat(unreadable.sampledGuards()).isEmpty();
  }

  @Test
  void aLargeNetworkCapsTheSample() throws Exception {
    List<Relay> rs = new ArrayList<>();
    for (int i = 1; i <= 500; i++) {
      rs.add(relay(i, GUARD, 10));
    }
    GuardManager gm = manager(null, GuardManager.Filter.NONE);
    gm.onDirectory(dir(rs, new HashMap<>()));
    assertThat(gm.sampledGuards()).hasSize(20); // enough usable filtered guards: no more
    GuardManager excluding =
        manager(
            null,
            new GuardManager.Filter(
                Set.copyOf(rs.subList(0, 480).stream().map(r -> r.status().fingerprint()).toList()),
                Set.of()));
    excluding.onDirectory(dir(rs, new HashMap<>()));
    // too few usable: the sample grows to its maximum, min(60, 20% of 500)
    assertThat(excluding.sampledGuards()).hasSize(60);
  }
}
