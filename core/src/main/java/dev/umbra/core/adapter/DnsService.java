package dev.umbra.core.adapter;

import java.io.Closeable;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The DNS module seen from the kernel: a resolver (through the DNS rules), a server answering
 * client queries ({@code hijack-dns}), and the FakeIP and reverse mappings the router consults.
 */
public interface DnsService extends Resolver, Closeable, Lifecycle {

  /**
   * Answers one DNS message a client sent; returns the response on the wire, or null when it must
   * be dropped. Never throws for a bad or hostile message: that message alone is lost or answered
   * with FORMERR.
   *
   * @param stream true over TCP (no truncation); false over UDP (the answer fits the client's
   *     advertised size, TC set otherwise)
   */
  byte[] serve(byte[] query, int length, Metadata metadata, boolean stream);

  /**
   * The answer {@link #serve} would give, when it is at hand without waiting (a cache hit), so a
   * server can send it from its receive loop; null otherwise (then call {@link #serve}). Never
   * throws, never logs per query.
   */
  default byte[] serveAtOnce(byte[] query, int length, Metadata metadata, boolean stream) {
    return null;
  }

  /**
   * {@link #serveAtOnce(byte[], int, Metadata, boolean)} written into {@code out}: returns the
   * answer's length, or -1 when there is none at hand (or it does not fit {@code out}). A server
   * answering from its receive loop uses this to send from a buffer of its own; implementations
   * allocate nothing for a hit where they can.
   */
  default int serveAtOnce(byte[] query, int length, Metadata metadata, boolean stream, byte[] out) {
    byte[] answer = serveAtOnce(query, length, metadata, stream);
    if (answer == null || answer.length > out.length) {
      return -1;
    }
    System.arraycopy(answer, 0, out, 0, answer.length);
    return answer.length;
  }

  /**
   * A resolver with these options; throws {@link dev.umbra.core.config.ConfigException} (path
   * relative to the options' owner) for an unknown server.
   */
  Resolver resolver(DnsQueryOptions options);

  /** The domain a FakeIP address was handed out for. */
  Optional<String> fakeIpDomain(InetAddress address);

  /** The domain an address was last answered for, when {@code reverse_mapping} is on. */
  Optional<String> reverseDomain(InetAddress address);

  /** Whether {@code address} lies in a FakeIP range (even if no record is left for it). */
  boolean isFakeIp(InetAddress address);
}
