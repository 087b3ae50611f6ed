package dev.umbra.tor.dir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.net.Conn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Source order and the consensus-diff fallback of the directory manager, with directory servers
 * played by a fake connector that answers from documents of a C tor test network.
 */
class DirectoryManagerTest {
  static String keys;
  static String consensus;
  static String mds;
  static Set<String> trusted;

  /** One request a fake server saw. */
  record Request(String server, String path, boolean diffHeader) {}

  final List<Request> requests = new CopyOnWriteArrayList<>();
  volatile Function<Request, String> answer = r -> null;
  final Set<String> down = new java.util.concurrent.CopyOnWriteArraySet<>();

  @BeforeAll
  static void load() throws Exception {
    keys = DirDocumentsTest.fixture("keys-all.txt");
    consensus = DirDocumentsTest.fixture("consensus-microdesc.txt");
    mds = DirDocumentsTest.fixture("microdescs.txt");
    trusted =
        KeyCertificate.parseAll(keys).stream()
            .map(KeyCertificate::fingerprint)
            .collect(Collectors.toSet());
  }

  static DirServer server(String name) {
    return new DirServer(
        name, null, null, new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 9));
  }

  /** A connection whose answer is computed from the request once it has been written. */
  Conn fake(DirServer s) throws IOException {
    if (down.contains(s.name())) {
      throw new IOException(s.name() + " is down");
    }
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    InputStream in =
        new InputStream() {
          ByteArrayInputStream body;

          ByteArrayInputStream body() {
            if (body == null) {
              String text = req.toString(StandardCharsets.ISO_8859_1);
              String path = text.substring(4, text.indexOf(' ', 4));
              Request r = new Request(s.name(), path, text.contains("X-Or-Diff-From-Consensus: "));
              requests.add(r);
              String doc = answer.apply(r);
              if (doc == null) {
                doc =
                    path.startsWith("/tor/keys/")
                        ? keys
                        : path.startsWith("/tor/micro/") ? mds : consensus;
              }
              body =
                  new ByteArrayInputStream(
                      ("HTTP/1.0 200 OK\r\n\r\n" + doc).getBytes(StandardCharsets.ISO_8859_1));
            }
            return body;
          }

          @Override
          public int read() {
            return body().read();
          }

          @Override
          public int read(byte[] b, int off, int len) {
            return body().read(b, off, len);
          }
        };
    return new Conn() {
      @Override
      public InputStream in() {
        return in;
      }

      @Override
      public OutputStream out() {
        return req;
      }

      @Override
      public void shutdownOutput() {}

      @Override
      public void close() {}
    };
  }

  DirectoryManager manager() throws Exception {
    Instant during = Consensus.parse(consensus).validAfter().plusSeconds(1);
    return new DirectoryManager(
        List.of(server("auth")),
        List.of(server("fallback")),
        nd -> List.of(server("cache")),
        (s, t) -> fake(s),
        trusted,
        null,
        m -> {},
        InstantSource.fixed(during));
  }

  @Test
  void bootstrapUsesFallbacksAndRefreshesUseCaches() throws Exception {
    DirectoryManager dm = manager();
    NetDir nd = dm.fetchOnce();
    assertThat(nd.relays()).hasSize(8);
    assertThat(requests).extracting(Request::server).containsOnly("fallback");
    assertThat(requests).noneMatch(Request::diffHeader); // nothing to diff from yet
    requests.clear();
    dm.fetchOnce();
    // with a directory: its caches first, asking for a diff
    assertThat(requests.getFirst())
        .isEqualTo(new Request("cache", "/tor/status-vote/current/consensus-microdesc", true));
    assertThat(requests).extracting(Request::server).containsOnly("cache");
    requests.clear();
    down.add("cache");
    down.add("fallback");
    dm.fetchOnce();
    assertThat(requests).extracting(Request::server).containsOnly("auth"); // authorities last
  }

  @Test
  void aDiffThatDoesNotApplyMeansAFullFetch() throws Exception {
    DirectoryManager dm = manager();
    dm.fetchOnce();
    requests.clear();
    String zeros = "0".repeat(64);
    answer =
        r ->
            r.diffHeader()
                ? "network-status-diff-version 1\nhash " + zeros + " " + zeros + "\n"
                : null;
    NetDir nd = dm.fetchOnce();
    assertThat(nd.relays()).hasSize(8);
    assertThat(requests)
        .extracting(Request::diffHeader)
        .containsExactly(true, false); // the diff, then the full consensus
    assertThat(dm.diffsApplied()).isZero();
  }

  @Test
  void aGoodDiffIsApplied() throws Exception {
    DirectoryManager dm = manager();
    dm.fetchOnce();
    answer =
        r -> {
          try {
            return r.diffHeader()
                ? "network-status-diff-version 1\nhash "
                    + ConsensusDiff.signedDigest(consensus)
                    + " "
                    + ConsensusDiff.fullDigest(consensus)
                    + "\n"
                : null;
          } catch (DirException e) {
            throw new IllegalStateException(e);
          }
        };
    requests.clear();
    dm.fetchOnce();
    assertThat(dm.diffsApplied()).isEqualTo(1);
    assertThat(requests).filteredOn(r -> r.path().contains("consensus")).hasSize(1);
  }
}
