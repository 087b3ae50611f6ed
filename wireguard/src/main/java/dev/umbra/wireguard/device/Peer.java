package dev.umbra.wireguard.device;

import dev.umbra.netstack.IpPrefix;
import dev.umbra.wireguard.noise.CookieGenerator;
import dev.umbra.wireguard.noise.InitiatorHandshake;
import dev.umbra.wireguard.noise.Session;
import dev.umbra.wireguard.noise.StaticIdentity;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * One peer's state: its keypairs (previous, current and the responder's unconfirmed next), the
 * handshake in flight, packets waiting for a session, and the timer deadlines. Guarded by the
 * peer's monitor; the device does the I/O.
 */
public final class Peer {
  final PeerConfig config;
  final CookieGenerator cookies;
  private volatile InetSocketAddress endpoint;

  Session previous;
  Session current;
  Session next;
  InitiatorHandshake handshake;
  long lastInitiationSent;
  boolean initiationSentEver;
  byte[] lastTimestamp;
  long lastInitiationConsumed;
  boolean initiationConsumedEver;
  final ArrayDeque<byte[]> staged = new ArrayDeque<>();

  // timer deadlines in nanoTime; 0 means not armed
  long retransmitAt;
  int handshakeAttempts;
  long keepaliveAt;
  boolean needAnotherKeepalive;
  long newHandshakeAt;
  long zeroKeysAt;
  long persistentAt;

  private volatile long lastHandshakeNanos;
  private volatile boolean handshakeEver;
  volatile long rxBytes;
  volatile long txBytes;

  Peer(PeerConfig config, LongSupplier clock) {
    this.config = config;
    this.cookies = new CookieGenerator(config.publicKey(), clock);
    this.endpoint = config.endpoint();
  }

  public byte[] publicKey() {
    return config.publicKey().clone();
  }

  public PeerConfig config() {
    return config;
  }

  /** Where packets for this peer go: configured, then updated from each authenticated packet. */
  public InetSocketAddress endpoint() {
    return endpoint;
  }

  void roam(InetSocketAddress to) {
    if (!to.equals(endpoint)) {
      endpoint = to;
    }
  }

  /** When the last handshake completed (nanoTime), if ever. */
  public synchronized boolean hasHandshake() {
    return handshakeEver;
  }

  public long lastHandshakeNanos() {
    return lastHandshakeNanos;
  }

  void handshakeComplete(long now) {
    lastHandshakeNanos = now;
    handshakeEver = true;
  }

  public long receivedBytes() {
    return rxBytes;
  }

  public long sentBytes() {
    return txBytes;
  }

  boolean allows(byte[] p, int addrOff, int addrLen) {
    for (IpPrefix prefix : config.allowedIps()) {
      if (prefix.contains(p, addrOff, addrLen)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "peer " + StaticIdentity.encodeKey(config.publicKey());
  }
}
