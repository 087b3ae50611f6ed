package dev.umbra.dns.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.DnsQueryOptions;
import dev.umbra.core.adapter.DnsService;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.registry.Registry;
import dev.umbra.dns.TestDns;
import dev.umbra.dns.router.DnsRouter;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class CacheFileTest {
  @TempDir Path dir;

  static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void fakeIpAndRdrcEntriesSurviveReopening() throws Exception {
    Path f = dir.resolve("cache.db");
    try (CacheFile c = CacheFile.open(f, "")) {
      assertThat(c.fakeIpEntries("fake", "198.18.0.0/15", "")).isEmpty();
      c.saveFakeIp("fake", ip("198.18.0.1"), "a.test");
      c.saveFakeIp("fake", ip("198.18.0.2"), "b.test");
      c.saveFakeIp("fake", ip("198.18.0.1"), "c.test");
      c.reject("cn", "X.Test.", Type.A, 60_000);
      c.reject("cn", "old.test.", Type.A, -1);
    }
    try (CacheFile c = CacheFile.open(f, "")) {
      assertThat(c.fakeIpEntries("fake", "198.18.0.0/15", ""))
          .containsExactly(
              Map.entry(ip("198.18.0.2"), "b.test"), Map.entry(ip("198.18.0.1"), "c.test"));
      assertThat(c.isRejected("cn", "x.test.", Type.A)).isTrue();
      assertThat(c.isRejected("cn", "x.test.", Type.AAAA)).isFalse();
      assertThat(c.isRejected("cn", "old.test.", Type.A)).isFalse();
    }
  }

  @Test
  void cacheIdsAndRangeChangesKeepEntriesApart() throws Exception {
    Path f = dir.resolve("cache.db");
    try (CacheFile c = CacheFile.open(f, "one")) {
      c.fakeIpEntries("fake", "198.18.0.0/15", "");
      c.saveFakeIp("fake", ip("198.18.0.1"), "a.test");
    }
    try (CacheFile c = CacheFile.open(f, "two")) {
      assertThat(c.fakeIpEntries("fake", "198.18.0.0/15", "")).isEmpty();
    }
    try (CacheFile c = CacheFile.open(f, "one")) {
      assertThat(c.fakeIpEntries("fake", "198.18.0.0/15", "")).hasSize(1);
    }
    try (CacheFile c = CacheFile.open(f, "one")) {
      // other ranges: the old mappings would point outside them, so they are dropped
      assertThat(c.fakeIpEntries("fake", "10.0.0.0/8", "")).isEmpty();
    }
    try (CacheFile c = CacheFile.open(f, "one")) {
      assertThat(c.fakeIpEntries("fake", "198.18.0.0/15", "")).isEmpty();
    }
  }

  @Test
  void aTornTailIsDroppedAndTheRestKept() throws Exception {
    Path f = dir.resolve("cache.db");
    try (CacheFile c = CacheFile.open(f, "")) {
      c.fakeIpEntries("fake", "198.18.0.0/15", "");
      c.saveFakeIp("fake", ip("198.18.0.1"), "a.test");
      c.saveFakeIp("fake", ip("198.18.0.2"), "b.test");
    }
    long size = Files.size(f);
    // a record cut short by a crash, then garbage with a bad checksum
    byte[] frame = CacheFile.frame(new CacheRecord.FakeIp("", "fake", ip("198.18.0.3"), "c.test"));
    Files.write(f, java.util.Arrays.copyOf(frame, frame.length - 3), StandardOpenOption.APPEND);
    try (CacheFile c = CacheFile.open(f, "")) {
      assertThat(c.fakeIpEntries("fake", "198.18.0.0/15", "")).hasSize(2);
    }
    assertThat(Files.size(f)).isEqualTo(size);
    byte[] bad = frame.clone();
    bad[frame.length - 1] ^= 1;
    Files.write(f, bad, StandardOpenOption.APPEND);
    Files.write(f, frame, StandardOpenOption.APPEND);
    try (CacheFile c = CacheFile.open(f, "")) {
      // nothing after the corrupt record is trusted
      assertThat(c.fakeIpEntries("fake", "198.18.0.0/15", "")).hasSize(2);
    }
  }

  @Test
  void hostileFramesAreRejectedByTheCodec() {
    assertThat(CacheFile.readFrame(ByteBuffer.wrap(new byte[] {0, 0, 0, 1}))).isNull();
    assertThat(CacheFile.readFrame(ByteBuffer.wrap(new byte[] {127, 0, 0, 0, 0, 0, 0, 0, 1})))
        .isNull();
    assertThat(CacheFile.readFrame(ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 0, 0, 0, 0, 9})))
        .isNull();
  }

  @Test
  void theFileStaysBoundedUnderChurn() throws Exception {
    Path f = dir.resolve("cache.db");
    try (CacheFile c = CacheFile.open(f, "")) {
      for (int i = 0; i < 40_000; i++) {
        c.reject("cn", "same.test.", Type.A, 60_000);
      }
      assertThat(Files.size(f)).isLessThan(3L << 20);
    }
    try (CacheFile c = CacheFile.open(f, "")) {
      assertThat(c.isRejected("cn", "same.test.", Type.A)).isTrue();
    }
    assertThat(Files.size(f)).isLessThan(1024);
  }

  @Test
  void onlyOneProcessOpensTheFileAndForeignFilesAreMovedAside() throws Exception {
    Path f = dir.resolve("cache.db");
    Files.writeString(f, "not ours");
    try (CacheFile c = CacheFile.open(f, "")) {
      assertThat(Files.readString(dir.resolve("cache.db.bak"))).isEqualTo("not ours");
      // the lock is per process: a second channel in this JVM sees it as held
      assertThatThrownBy(() -> CacheFile.open(f, ""))
          .isInstanceOfAny(IOException.class, java.nio.channels.OverlappingFileLockException.class);
    }
  }

  static String fakeA(DnsRouter r, String name) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN));
    Message a = r.exchange(q, null, DnsQueryOptions.DEFAULT);
    return ((ARecord) a.getSection(Section.ANSWER).getFirst()).getAddress().getHostAddress();
  }

  @Test
  void theDnsRouterRestoresFakeIpMappingsAfterARestart() throws Exception {
    String dns =
        """
        {"servers":[{"type":"fakeip","tag":"fake","inet4_range":"198.18.0.0/15"}]}
        """;
    String cache = "{\"enabled\":true,\"path\":\"state/c.db\",\"store_fakeip\":true}";
    String a;
    String b;
    DnsService first = TestDns.buildWithCacheFile(dns, cache, dir);
    try {
      first.start(StartStage.START);
      a = fakeA((DnsRouter) first, "a.test");
      b = fakeA((DnsRouter) first, "b.test");
    } finally {
      first.close();
    }
    DnsService second = TestDns.buildWithCacheFile(dns, cache, dir);
    try {
      second.start(StartStage.START);
      assertThat(second.fakeIpDomain(ip(a))).contains("a.test");
      assertThat(second.fakeIpDomain(ip(b))).contains("b.test");
      assertThat(fakeA((DnsRouter) second, "b.test")).isEqualTo(b);
      // allocation continues after the restored ones
      assertThat(fakeA((DnsRouter) second, "c.test")).isNotIn(a, b);
    } finally {
      second.close();
    }
    // without store_fakeip nothing is restored
    DnsService third =
        TestDns.buildWithCacheFile(dns, "{\"enabled\":true,\"path\":\"state/c.db\"}", dir);
    try {
      third.start(StartStage.START);
      assertThat(third.fakeIpDomain(ip(a))).isEmpty();
    } finally {
      third.close();
    }
  }

  @Test
  void experimentalAcceptsOnlyTheCacheFile() {
    assertThatThrownBy(() ->
            ConfigLoader.load(
                Jsonc.parse("{\"experimental\":{\"clash_api\":{}}}", "t"), Registry.loadAll()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("experimental.clash_api")
        .hasMessageContaining("Clash API");
    assertThatThrownBy(() ->
            ConfigLoader.load(
                Jsonc.parse("{\"experimental\":{\"v2ray_api\":{}}}", "t"), Registry.loadAll()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("experimental.v2ray_api");
    assertThatThrownBy(() ->
            TestDns.buildWithCacheFile("{}", "{\"enabled\":true,\"store_dns\":true}", Path.of(".")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("experimental.cache_file.store_dns");
    assertThatThrownBy(
            () -> TestDns.buildWithCacheFile("{}", "{\"enabled\":true,\"nope\":1}", Path.of(".")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("experimental.cache_file.nope");
  }
}
