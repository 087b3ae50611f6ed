package dev.umbra.wireguard.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.umbra.netstack.Icmp4;
import dev.umbra.netstack.IpPrefix;
import dev.umbra.wireguard.noise.CookieChecker;
import dev.umbra.wireguard.noise.Messages;
import dev.umbra.wireguard.noise.StaticIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Devices talking to each other (or to a bare socket playing a silent or relaying peer) on
 * 127.0.0.1, with one shared clock the test moves forward to drive the timers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireGuardDeviceTest {
  private static final long SEC = 1_000_000_000L;
  private final AtomicLong clock = new AtomicLong(1_000 * SEC);
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  private DatagramChannel socket() throws IOException {
    DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    closeables.add(ch);
    return ch;
  }

  /** A device whose sink answers pings and queues every other packet. */
  private final class Node {
    final StaticIdentity id;
    final byte[] ip;
    final BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
    WireGuardDevice device;
    DatagramChannel channel;

    Node(String ip) throws IOException {
      this(ip, StaticIdentity.generate());
    }

    Node(String ip, StaticIdentity id) throws IOException {
      this.ip = InetAddress.getByName(ip).getAddress();
      this.id = id;
    }

    Node start(int underLoad, PeerConfig... peers) throws IOException {
      channel = socket();
      device =
          WireGuardDevice.start(
              new DeviceConfig(id, List.of(peers), 1420, underLoad, clock::get),
              channel,
              (p, off, len) -> {
                byte[] reply = Icmp4.replyTo(p, off, len);
                try {
                  if (reply != null) {
                    device.send(reply, 0, reply.length);
                  } else {
                    got.add(Arrays.copyOfRange(p, off, off + len));
                  }
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      closeables.add(device);
      return this;
    }

    InetSocketAddress address() throws IOException {
      return device.localAddress();
    }

    /** Pings {@code dst} until a reply arrives (bounded); returns it. */
    byte[] ping(byte[] dst, int tries) throws Exception {
      for (int seq = 0; seq < tries; seq++) {
        device.send(Icmp4.echo(8, ip, dst, 7, seq, new byte[] {1, 2, 3}), 0, 31);
        byte[] p = got.poll(1, TimeUnit.SECONDS);
        if (p != null && p[20] == Icmp4.ECHO_REPLY) {
          return p;
        }
      }
      return null;
    }

    Peer peerOf(Node other) {
      return device.peer(other.id.publicKey());
    }
  }

  private static PeerConfig peer(Node n, InetSocketAddress ep, String... ips) {
    return PeerConfig.of(n.id.publicKey(), ep, ips);
  }

  /** Starts a and b knowing each other; b's address is filled in once it is bound. */
  private void pair(Node a, Node b, int bUnderLoad, Duration aKeepalive) throws IOException {
    b.start(bUnderLoad, peer(a, null, "10.0.0.1/32"));
    a.start(
        128,
        new PeerConfig(
            b.id.publicKey(),
            null,
            b.address(),
            List.of(IpPrefix.parse("10.0.0.2/32")),
            aKeepalive,
            null));
  }

  private static byte[] ip(String s) throws Exception {
    return InetAddress.getByName(s).getAddress();
  }

  @Test
  void handshakeAndPingsRoutedByAllowedIpsToSeveralPeers() throws Exception {
    Node a = new Node("10.0.0.1");
    Node b = new Node("10.0.0.2");
    Node c = new Node("fd00::3");
    b.start(128, peer(a, null, "10.0.0.0/24"));
    c.start(128, peer(a, null, "10.0.0.1/32"));
    a.start(128, peer(b, b.address(), "10.0.0.0/24"), peer(c, c.address(), "10.0.0.3/32"));
    byte[] r = a.ping(ip("10.0.0.2"), 5);
    assertThat(r).isNotNull();
    assertThat(Arrays.copyOfRange(r, 12, 16)).isEqualTo(ip("10.0.0.2"));
    // 10.0.0.3 is inside b's /24 but c's /32 is the longer match
    byte[] r3 = a.ping(ip("10.0.0.3"), 5);
    assertThat(r3).isNotNull();
    assertThat(Arrays.copyOfRange(r3, 12, 16)).isEqualTo(ip("10.0.0.3"));
    assertThat(a.peerOf(c).hasHandshake()).isTrue();
    assertThat(a.peerOf(b).hasHandshake()).isTrue();
    // nothing routes 192.0.2.1
    assertThat(a.device.send(Icmp4.echo(8, a.ip, ip("192.0.2.1"), 1, 1, new byte[0]), 0, 28))
        .isFalse();
  }

  @Test
  void packetsFromOutsideThePeersAllowedIpsAreDropped() throws Exception {
    Node a = new Node("10.0.0.1");
    Node b = new Node("10.0.0.2");
    pair(a, b, 128, Duration.ZERO);
    assertThat(a.ping(ip("10.0.0.2"), 5)).isNotNull();
    // b sends a packet claiming a source a does not allow for b, then a good one
    byte[] spoofed = Icmp4.echo(0, ip("10.9.9.9"), a.ip, 1, 1, new byte[] {9});
    byte[] good = Icmp4.echo(0, b.ip, a.ip, 1, 2, new byte[] {8});
    b.device.send(spoofed, 0, spoofed.length);
    b.device.send(good, 0, good.length);
    byte[] first = a.got.poll(5, TimeUnit.SECONDS);
    assertThat(first).isEqualTo(good);
  }

  @Test
  void underLoadTheResponderDemandsACookieAndTheRetryCarriesMac2() throws Exception {
    Node a = new Node("10.0.0.1");
    Node b = new Node("10.0.0.2");
    pair(a, b, 0, Duration.ZERO); // b: every handshake counts as load
    a.device.send(Icmp4.echo(8, a.ip, b.ip, 7, 1, new byte[0]), 0, 28);
    // the first initiation is answered with a cookie reply, not a handshake
    await().atMost(Duration.ofSeconds(5)).until(() -> a.peerOf(b).cookies.hasCookie());
    assertThat(a.peerOf(b).hasHandshake()).isFalse();
    assertThat(b.device.cookieRepliesSent()).isPositive();
    clock.addAndGet(6 * SEC); // the retry timer fires; it carries mac2
    await().atMost(Duration.ofSeconds(5)).until(() -> a.peerOf(b).hasHandshake());
    assertThat(a.ping(b.ip, 5)).isNotNull();
  }

  @Test
  void handshakeRetriesWithFreshKeysUntilItGivesUp() throws Exception {
    DatagramChannel silent = socket();
    Node a = new Node("10.0.0.1");
    StaticIdentity ghost = StaticIdentity.generate();
    a.start(
        128,
        PeerConfig.of(
            ghost.publicKey(), (InetSocketAddress) silent.getLocalAddress(), "10.0.0.2/32"));
    CookieChecker ghostMacs = new CookieChecker(ghost.publicKey(), clock::get, new SecureRandom());
    a.device.send(Icmp4.echo(8, a.ip, ip("10.0.0.2"), 7, 1, new byte[0]), 0, 28);
    silent.configureBlocking(true);
    List<byte[]> inits = new ArrayList<>();
    inits.add(receive(silent));
    for (int i = 0; i < WireGuardTimers.MAX_TIMER_HANDSHAKES; i++) {
      clock.addAndGet(WireGuardTimers.REKEY_TIMEOUT + WireGuardTimers.MAX_JITTER);
      inits.add(receive(silent));
    }
    for (byte[] m : inits) {
      assertThat(Messages.typeOf(m, 0, m.length)).isEqualTo(Messages.TYPE_INITIATION);
      assertThat(ghostMacs.checkMac1(m, 0, m.length)).isTrue();
    }
    // every attempt has its own index and ephemeral key
    assertThat(inits.stream().map(m -> Arrays.toString(Arrays.copyOfRange(m, 4, 40))).distinct())
        .hasSize(inits.size());
    // after 18 retries it stops: moving the clock on brings nothing more
    clock.addAndGet(WireGuardTimers.REKEY_TIMEOUT + WireGuardTimers.MAX_JITTER);
    silent.configureBlocking(false);
    Thread.sleep(300);
    assertThat(silent.receive(ByteBuffer.allocate(256))).isNull();
  }

  private static byte[] receive(DatagramChannel ch) throws Exception {
    ByteBuffer buf = ByteBuffer.allocate(2048);
    var f =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            ch.receive(buf);
            return buf.flip();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    ByteBuffer b = f.get(5, TimeUnit.SECONDS);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @Test
  void passiveKeepaliveAfterReceivingDataAndPersistentKeepalive() throws Exception {
    Node a = new Node("10.0.0.1");
    Node b = new Node("10.0.0.2");
    pair(a, b, 128, Duration.ofSeconds(25));
    assertThat(a.ping(b.ip, 5)).isNotNull();
    // a sends data b does not answer (not an echo request): b owes a keepalive after 10 s
    byte[] oneWay = Icmp4.echo(0, a.ip, b.ip, 1, 1, new byte[] {5});
    a.device.send(oneWay, 0, oneWay.length);
    assertThat(b.got.poll(5, TimeUnit.SECONDS)).isEqualTo(oneWay);
    long before = a.peerOf(b).receivedBytes();
    clock.addAndGet(WireGuardTimers.KEEPALIVE_TIMEOUT + SEC / 10);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.peerOf(b).receivedBytes() == before + 32);
    // a's persistent keepalive (25 s) reaches b with no traffic at all
    long bBefore = b.peerOf(a).receivedBytes();
    clock.addAndGet(26 * SEC);
    await().atMost(Duration.ofSeconds(5)).until(() -> b.peerOf(a).receivedBytes() >= bBefore + 32);
  }

  @Test
  void theInitiatorRekeysAfterRekeyAfterTime() throws Exception {
    Node a = new Node("10.0.0.1");
    Node b = new Node("10.0.0.2");
    pair(a, b, 128, Duration.ZERO);
    assertThat(a.ping(b.ip, 5)).isNotNull();
    long first = a.peerOf(b).lastHandshakeNanos();
    clock.addAndGet(WireGuardTimers.REKEY_AFTER_TIME + SEC);
    assertThat(a.ping(b.ip, 5)).isNotNull();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.peerOf(b).lastHandshakeNanos() > first);
    // past REJECT_AFTER_TIME the old keys are unusable; traffic still flows on new ones
    clock.addAndGet(WireGuardTimers.REJECT_AFTER_TIME + SEC);
    assertThat(a.ping(b.ip, 10)).isNotNull();
  }

  @Test
  void theEndpointFollowsThePeerWhenItRoams() throws Exception {
    Node a = new Node("10.0.0.1");
    Node b = new Node("10.0.0.2");
    pair(a, b, 128, Duration.ZERO);
    assertThat(a.ping(b.ip, 5)).isNotNull();
    // b comes back on another port with the same key and calls a
    b.device.close();
    Node moved = new Node("10.0.0.2", b.id);
    moved.start(128, peer(a, a.address(), "10.0.0.1/32"));
    assertThat(moved.ping(a.ip, 10)).isNotNull();
    assertThat(a.peerOf(b).endpoint()).isEqualTo(moved.address());
    assertThat(a.ping(b.ip, 5)).isNotNull();
  }

  @Test
  void reservedBytesAreWrittenOnEveryPacketAndIgnoredOnReceipt() throws Exception {
    Node a = new Node("10.0.0.1");
    Node b = new Node("10.0.0.2");
    b.start(128, peer(a, null, "10.0.0.1/32"));
    DatagramChannel relay = socket();
    byte[] reserved = {(byte) 0xa1, (byte) 0xb2, (byte) 0xc3};
    a.start(
        128,
        new PeerConfig(
            b.id.publicKey(),
            null,
            (InetSocketAddress) relay.getLocalAddress(),
            List.of(IpPrefix.parse("10.0.0.2/32")),
            Duration.ZERO,
            reserved));
    InetSocketAddress aAddr = a.address();
    InetSocketAddress bAddr = b.address();
    List<String> bad = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicLong relayed = new AtomicLong();
    Thread pump =
        Thread.ofVirtual()
            .start(() -> {
              ByteBuffer buf = ByteBuffer.allocate(2048);
              try {
                while (true) {
                  buf.clear();
                  var from = relay.receive(buf);
                  buf.flip();
                  if (from.equals(aAddr)) {
                    if (buf.get(1) != reserved[0]
                        || buf.get(2) != reserved[1]
                        || buf.get(3) != reserved[2]) {
                      bad.add("packet of type " + buf.get(0) + " without the reserved bytes");
                    }
                    relayed.incrementAndGet();
                    relay.send(buf, bAddr);
                  } else {
                    relay.send(buf, aAddr);
                  }
                }
              } catch (IOException e) {
                // closed at the end of the test
              }
            });
    closeables.add(pump::interrupt);
    assertThat(a.ping(b.ip, 5)).isNotNull();
    assertThat(relayed.get()).isGreaterThanOrEqualTo(2);
    assertThat(bad).isEmpty();
  }
}
