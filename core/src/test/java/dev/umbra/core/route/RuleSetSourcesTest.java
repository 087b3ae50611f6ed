package dev.umbra.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.OutboundManager;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.dial.DefaultDialer;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.route.srs.Srs;
import dev.umbra.core.route.srs.SrsJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local binary rule-sets and remote rule-sets served by an HTTP server on 127.0.0.1: downloaded
 * through the download detour, matched by the router, cached under the working directory, restored
 * when the server is gone, and refreshed every update_interval (with ETag revalidation).
 */
class RuleSetSourcesTest {
  @TempDir Path dir;

  private HttpServer server;
  private final AtomicReference<byte[]> served = new AtomicReference<>();
  private final AtomicReference<String> etag = new AtomicReference<>("\"v1\"");
  private final AtomicInteger downloads = new AtomicInteger();
  private final AtomicInteger notModified = new AtomicInteger();
  private final Map<String, AtomicInteger> dialsVia = new LinkedHashMap<>();

  private static byte[] srs(String json) {
    return Srs.write(SrsJson.downgraded(SrsJson.parse(json, "t")));
  }

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/old",
        ex -> {
          ex.getResponseHeaders().add("Location", "/rules.srs");
          ex.sendResponseHeaders(302, -1);
          ex.close();
        });
    server.createContext("/rules.srs", this::rules);
    server.createContext(
        "/rules.json",
        ex -> {
          byte[] body =
              "{\"version\": 3, \"rules\": [{\"domain_suffix\": \"json.test\"}]}"
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, 0); // chunked
          try (OutputStream o = ex.getResponseBody()) {
            o.write(body, 0, 10);
            o.flush();
            o.write(body, 10, body.length - 10);
          }
        });
    server.createContext(
        "/missing",
        ex -> {
          ex.sendResponseHeaders(404, -1);
          ex.close();
        });
    server.start();
    served.set(srs("{\"version\":2,\"rules\":[{\"domain_suffix\":\"example.com\"}]}"));
  }

  private void rules(HttpExchange ex) throws IOException {
    String tag = etag.get();
    if (tag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
      notModified.incrementAndGet();
      ex.sendResponseHeaders(304, -1);
      ex.close();
      return;
    }
    downloads.incrementAndGet();
    byte[] body = served.get();
    ex.getResponseHeaders().add("ETag", tag);
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(body);
    }
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Outbounds: a real direct one for downloads, and two that record which rule chose them. */
  private OutboundManager outbounds() {
    Map<String, Outbound> all = new LinkedHashMap<>();
    OutboundManager m =
        new OutboundManager() {
          @Override
          public Optional<Outbound> get(String tag) {
            return Optional.ofNullable(all.get(tag));
          }

          @Override
          public Outbound defaultOutbound() {
            return all.get("miss");
          }

          @Override
          public Collection<Outbound> all() {
            return all.values();
          }
        };
    DefaultDialer dialer = new DefaultDialer(DialOptions.DEFAULT, m, null);
    for (String tag : List.of("miss", "hit", "fetch")) {
      all.put(
          tag,
          new DialingOutbound(
              tag, dialer, dialsVia.computeIfAbsent(tag, t -> new AtomicInteger())));
    }
    return m;
  }

  private record DialingOutbound(String tag, DefaultDialer dialer, AtomicInteger dials)
      implements Outbound {
    @Override
    public String type() {
      return "test";
    }

    @Override
    public Set<Network> networks() {
      return Set.of(Network.TCP);
    }

    @Override
    public Conn dial(Metadata m) throws IOException {
      dials.incrementAndGet();
      return dialer.dial(m.destination());
    }

    @Override
    public PacketConn listenPacket(Metadata m) throws IOException {
      throw new IOException("no udp here");
    }
  }

  private RuleRouter router(String ruleSetJson) {
    String route =
        "{\"rules\": [{\"rule_set\": \"r\", \"outbound\": \"hit\"}], \"final\": \"miss\","
            + " \"rule_set\": ["
            + ruleSetJson
            + "]}";
    return RuleRouter.create(
        RouteOptions.parse(Jsonc.parse(route, "t"), "route"),
        "route",
        new RouterContext(outbounds(), Set.of(), null, null, null, dir));
  }

  private static String routeOf(RuleRouter r, String host) throws IOException {
    Metadata m =
        Metadata.of(
            "in",
            "mixed",
            Network.TCP,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000),
            Destination.of(host, 443));
    return r.decide(m, null, null, Handshake.NONE, new boolean[1]).outbound().tag();
  }

  @Test
  void localBinaryRuleSetIsMatched() throws IOException {
    Files.write(
        dir.resolve("set.srs"),
        srs(
            "{\"version\":1,\"rules\":[{\"domain_suffix\":\"a.test\"},"
                + "{\"ip_cidr\":\"10.0.0.0/8\",\"port\":443}]}"));
    Files.write(dir.resolve("set.bin"), srs("{\"version\":2,\"rules\":[{\"domain\":\"b.test\"}]}"));
    try (RuleRouter r = router("{\"type\":\"local\",\"tag\":\"r\",\"path\":\"set.srs\"}")) {
      assertThat(routeOf(r, "x.a.test")).isEqualTo("hit");
      assertThat(routeOf(r, "a.test")).isEqualTo("hit");
      assertThat(routeOf(r, "10.1.2.3")).isEqualTo("hit");
      assertThat(routeOf(r, "11.1.2.3")).isEqualTo("miss");
      assertThat(routeOf(r, "b.test")).isEqualTo("miss");
    }
    try (RuleRouter r =
        router("{\"type\":\"local\",\"tag\":\"r\",\"format\":\"binary\",\"path\":\"set.bin\"}")) {
      assertThat(routeOf(r, "b.test")).isEqualTo("hit");
      assertThat(routeOf(r, "x.b.test")).isEqualTo("miss");
    }
  }

  @Test
  void localSourceRuleSetIsMatched() throws IOException {
    Files.writeString(
        dir.resolve("set.json"),
        "{\"version\": 4, // comment\n \"rules\": [{\"domain_keyword\": \"shop\"}]}");
    try (RuleRouter r = router("{\"type\":\"local\",\"tag\":\"r\",\"path\":\"set.json\"}")) {
      assertThat(routeOf(r, "myshop.test")).isEqualTo("hit");
      assertThat(routeOf(r, "other.test")).isEqualTo("miss");
    }
  }

  @Test
  void localErrorsNameThePath() throws IOException {
    Files.write(dir.resolve("bad.srs"), new byte[] {'S', 'R', 'S', 1, 0, 0});
    assertThatThrownBy(() -> router("{\"type\":\"local\",\"tag\":\"r\",\"path\":\"bad.srs\"}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("route.rule_set[0].path")
        .hasMessageContaining("bad.srs");
    Files.write(
        dir.resolve("proc.srs"), srs("{\"version\":2,\"rules\":[{\"process_name\":\"curl\"}]}"));
    assertThatThrownBy(() -> router("{\"type\":\"local\",\"tag\":\"r\",\"path\":\"proc.srs\"}"))
        .hasMessageContaining("process_name is not supported");
    assertThatThrownBy(() -> router("{\"type\":\"local\",\"tag\":\"r\",\"path\":\"set.txt\"}"))
        .hasMessageContaining("route.rule_set[0].format");
  }

  @Test
  void remoteIsDownloadedViaTheDetourCachedAndReusedOffline() throws IOException {
    String cfg =
        "{\"type\":\"remote\",\"tag\":\"r\",\"url\":\""
            + url("/old")
            + "?x=1\",\"format\":\"binary\",\"download_detour\":\"fetch\"}";
    try (RuleRouter r = router(cfg)) {
      // Before start nothing is downloaded: the set is empty.
      assertThat(routeOf(r, "www.example.com")).isEqualTo("miss");
      r.start(StartStage.POST_START);
      assertThat(routeOf(r, "www.example.com")).isEqualTo("hit");
      assertThat(routeOf(r, "example.org")).isEqualTo("miss");
    }
    assertThat(dialsVia.get("fetch").get()).isEqualTo(2); // the redirect, then the file
    assertThat(downloads.get()).isEqualTo(1);
    try (var files = Files.list(dir.resolve("cache").resolve("rule-set"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("rs-r.bin", "rs-r.meta");
    }
    assertThat(Files.readAllBytes(dir.resolve("cache/rule-set/rs-r.bin"))).isEqualTo(served.get());

    server.stop(0);
    server = null;
    try (RuleRouter r = router(cfg)) {
      // Restored from the cache when the config loads, and start-up does not need the server.
      assertThat(routeOf(r, "www.example.com")).isEqualTo("hit");
      r.start(StartStage.POST_START);
      assertThat(routeOf(r, "www.example.com")).isEqualTo("hit");
    }
  }

  @Test
  void updateIntervalRevalidatesAndRefreshes() throws Exception {
    String cfg =
        "{\"type\":\"remote\",\"tag\":\"r\",\"url\":\""
            + url("/rules.srs")
            + "\",\"update_interval\":\"100ms\"}";
    try (RuleRouter r = router(cfg)) {
      r.start(StartStage.POST_START);
      assertThat(routeOf(r, "example.com")).isEqualTo("hit");
      waitFor(() -> notModified.get() >= 1); // an unchanged file is revalidated by ETag
      served.set(srs("{\"version\":2,\"rules\":[{\"domain\":\"new.test\"}]}"));
      etag.set("\"v2\"");
      waitFor(() -> {
        try {
          return routeOf(r, "new.test").equals("hit");
        } catch (IOException e) {
          return false;
        }
      });
      assertThat(routeOf(r, "example.com")).isEqualTo("miss");
      // The default outbound carried the downloads (no download_detour).
      assertThat(dialsVia.get("miss").get()).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void sourceFormatIsInferredFromTheUrlAndChunkedBodiesRead() throws IOException {
    try (RuleRouter r =
        router("{\"type\":\"remote\",\"tag\":\"r\",\"url\":\"" + url("/rules.json") + "\"}")) {
      r.start(StartStage.POST_START);
      assertThat(routeOf(r, "a.json.test")).isEqualTo("hit");
    }
  }

  @Test
  void failedDownloadNeverStopsStartUp() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    for (String u :
        List.of(
            url("/missing.srs").replace("/missing.srs", "/missing"),
            "http://127.0.0.1:" + closedPort + "/x.srs")) {
      try (RuleRouter r =
          router(
              "{\"type\":\"remote\",\"tag\":\"r\",\"format\":\"binary\",\"url\":\"" + u + "\"}")) {
        r.start(StartStage.POST_START);
        assertThat(routeOf(r, "example.com")).isEqualTo("miss");
      }
    }
  }

  @Test
  void remoteConfigErrors() {
    assertThatThrownBy(() -> router("{\"type\":\"remote\",\"tag\":\"r\",\"format\":\"binary\"}"))
        .hasMessageContaining("route.rule_set[0].url");
    assertThatThrownBy(
            () -> router("{\"type\":\"remote\",\"tag\":\"r\",\"url\":\"ftp://127.0.0.1/a.srs\"}"))
        .hasMessageContaining("route.rule_set[0].url");
    assertThatThrownBy(
            () -> router("{\"type\":\"remote\",\"tag\":\"r\",\"url\":\"http://127.0.0.1/a\"}"))
        .hasMessageContaining("route.rule_set[0].format");
    assertThatThrownBy(() ->
            router(
                "{\"type\":\"remote\",\"tag\":\"r\",\"url\":\"http://127.0.0.1/a.srs\","
                    + "\"download_detour\":\"nope\"}"))
        .hasMessageContaining("route.rule_set[0].download_detour")
        .hasMessageContaining("nope");
    assertThatThrownBy(() ->
            router(
                "{\"type\":\"remote\",\"tag\":\"r\",\"url\":\"http://127.0.0.1/a.srs\","
                    + "\"path\":\"a.srs\"}"))
        .hasMessageContaining("route.rule_set[0].path");
    assertThatThrownBy(() ->
            router(
                "{\"type\":\"local\",\"tag\":\"r\",\"path\":\"a.srs\","
                    + "\"update_interval\":\"1h\"}"))
        .hasMessageContaining("route.rule_set[0].update_interval");
  }

  private static void waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 20 s");
      }
      Thread.sleep(20);
    }
  }
}
