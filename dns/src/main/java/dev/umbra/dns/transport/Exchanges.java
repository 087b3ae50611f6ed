package dev.umbra.dns.transport;

import dev.umbra.core.net.Conn;
import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.DnsFormatException;
import dev.umbra.dns.message.DnsLimits;
import dev.umbra.dns.message.Messages;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import org.xbill.DNS.Message;

/** Shared pieces of the transports: query IDs, checks of answers, RFC 1035 stream framing. */
final class Exchanges {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  private static final SecureRandom RANDOM = new SecureRandom();

  private Exchanges() {}

  /** A copy of the query with a fresh random ID (spoofed answers must guess it). */
  static Message withRandomId(Message query) {
    Message out = query.clone();
    out.getHeader().setID(RANDOM.nextInt(65_536));
    return out;
  }

  /** The response checked against what was sent, given back with the caller's ID. */
  static Message accept(Message sent, Message original, Message response, String server)
      throws DnsFormatException {
    if (response.getHeader().getID() != sent.getHeader().getID()) {
      throw new DnsFormatException("answer from " + server + " carries another ID");
    }
    if (!Messages.sameQuestion(sent, response)) {
      throw new DnsFormatException("answer from " + server + " is for another question");
    }
    response.getHeader().setID(original.getHeader().getID());
    return response;
  }

  static void writeFramed(OutputStream out, byte[] message) throws IOException {
    byte[] framed = new byte[message.length + 2];
    framed[0] = (byte) (message.length >> 8);
    framed[1] = (byte) message.length;
    System.arraycopy(message, 0, framed, 2, message.length);
    out.write(framed);
    out.flush();
  }

  static Message readFramed(InputStream in) throws IOException {
    int hi = in.read();
    int lo = in.read();
    if (hi < 0 || lo < 0) {
      throw new EOFException("DNS server closed the connection");
    }
    int length = (hi << 8) | lo;
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new EOFException("DNS server closed inside a message");
    }
    return DnsCodec.parse(body, DnsLimits.DEFAULT);
  }

  static int remainingMillis(long deadlineNanos) throws java.net.SocketTimeoutException {
    long ms = (deadlineNanos - System.nanoTime()) / 1_000_000L;
    if (ms <= 0) {
      throw new java.net.SocketTimeoutException("DNS query timed out");
    }
    return (int) Math.min(Integer.MAX_VALUE, ms);
  }

  static void closeQuietly(Conn c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing a failed connection
    }
  }
}
