package dev.umbra.tor.outbound;

import dev.umbra.core.adapter.Lifecycle;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.tor.client.TorClient;
import dev.umbra.tor.client.TorConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes TCP connections through the pure-Java Tor client. The client bootstraps in the background
 * at start; a dial waits (bounded) for it. Destinations go to the exit as names or literal
 * addresses, never resolved locally. Circuits are isolated per inbound and, as the torrc's Isolate*
 * flags say, per user (SOCKS/HTTP credentials, on by default), destination address, destination
 * port and client address.
 */
public final class TorOutbound implements Outbound, Lifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(TorOutbound.class);
  static final Duration BOOTSTRAP_TIMEOUT = Duration.ofSeconds(90);

  /**
   * The isolation key: streams that differ in any field never share a circuit. Fields that the
   * torrc's Isolate* flags leave out are null (or 0).
   */
  record Isolation(String inbound, String user, String destAddr, int destPort, String client) {
    static Isolation of(Metadata m, TorrcOptions.IsolationFlags f) {
      Destination d = m.destination();
      return new Isolation(
          m.inbound(),
          f.socksAuth() ? m.user() : null,
          f.destAddr() ? d.host() : null,
          f.destPort() ? d.port() : 0,
          f.clientAddr() && m.source() != null ? m.source().getAddress().getHostAddress() : null);
    }
  }

  private final String tag;
  private final TorClient client;
  private final TorrcOptions.IsolationFlags isolation;
  private final CountDownLatch bootstrapped = new CountDownLatch(1);
  private volatile IOException bootstrapFailure;

  public TorOutbound(String tag, TorOutboundOptions options) {
    this.tag = tag;
    TorrcOptions t = TorrcOptions.parse(options.torrc() == null ? Map.of() : options.torrc());
    Path dataDir = options.dataDirectory() == null ? null : Path.of(options.dataDirectory());
    TorConfig cfg =
        new TorConfig(
            t.authorities(),
            dataDir,
            t.testingTorNetwork(),
            !t.testingTorNetwork(),
            t.excludeNodes(),
            t.exitNodes(),
            t.entryNodes(),
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            t.fallbackDirs(),
            t.conflux());
    this.isolation = t.isolation();
    this.client = new TorClient(cfg, m -> LOG.debug("[{}] {}", tag, m));
  }

  @Override
  public void start(StartStage stage) {
    if (stage != StartStage.START) {
      return;
    }
    Thread.ofVirtual()
        .name("tor-bootstrap-" + tag)
        .start(() -> {
          try {
            client.bootstrap(BOOTSTRAP_TIMEOUT);
            LOG.info("[{}] tor client bootstrapped: {}", tag, client.status());
          } catch (IOException e) {
            bootstrapFailure = e;
            LOG.warn("[{}] tor bootstrap failed: {}", tag, e.getMessage());
          } finally {
            bootstrapped.countDown();
          }
        });
  }

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    try {
      if (!bootstrapped.await(BOOTSTRAP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new IOException("tor outbound " + tag + ": still bootstrapping");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (bootstrapFailure != null) {
      throw new IOException("tor outbound " + tag + ": bootstrap failed", bootstrapFailure);
    }
    Destination d = metadata.destination();
    // host() is the name or the literal address: the exit resolves names.
    return client.connect(d.host(), d.port(), isolationKey(metadata));
  }

  /** The circuit isolation key for a stream with this metadata. */
  Object isolationKey(Metadata metadata) {
    return Isolation.of(metadata, isolation);
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    throw new IOException("tor outbound " + tag + " carries TCP only");
  }

  @Override
  public Set<Network> networks() {
    return EnumSet.of(Network.TCP);
  }

  public TorClient client() {
    return client;
  }

  @Override
  public String type() {
    return "tor";
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public void close() {
    client.close();
  }
}
