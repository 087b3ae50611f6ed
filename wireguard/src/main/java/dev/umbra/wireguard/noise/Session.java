package dev.umbra.wireguard.noise;

import dev.umbra.crypto.ChaCha20Poly1305;
import javax.crypto.AEADBadTagException;

/**
 * One keypair's transport state (whitepaper §5.4.6): the send counter and the receive replay
 * window. Sealing and opening each have their own lock, so one sender and one receiver can run at
 * the same time.
 */
public final class Session {
  /** Counters at or past this must never be used (2^64 - 2^13 - 1, unsigned). */
  public static final long REJECT_AFTER_MESSAGES = -1L - (1L << 13);

  private final SessionKeys keys;
  private final long createdNanos;
  // Our AEAD, not the JDK's: without AVX-512 the JDK's Poly1305 runs as plain Java.
  private final ChaCha20Poly1305 sendAead;
  private final ChaCha20Poly1305 receiveAead;
  private final byte[] sendNonce = new byte[12]; // guarded by sendLock
  private final byte[] receiveNonce = new byte[12]; // guarded by receiveLock
  private final ReplayWindow replay = new ReplayWindow();
  private final Object sendLock = new Object();
  private final Object receiveLock = new Object();
  private long sendCounter;
  private volatile boolean received;

  public Session(SessionKeys keys, long createdNanos) {
    this.keys = keys;
    this.createdNanos = createdNanos;
    this.sendAead = new ChaCha20Poly1305(keys.sendKey());
    this.receiveAead = new ChaCha20Poly1305(keys.receiveKey());
  }

  public int localIndex() {
    return keys.localIndex();
  }

  public int remoteIndex() {
    return keys.remoteIndex();
  }

  public boolean isInitiator() {
    return keys.initiator();
  }

  public long createdNanos() {
    return createdNanos;
  }

  /** Whether any packet has been received on this keypair (confirms a responder's keypair). */
  public boolean hasReceived() {
    return received;
  }

  public long sendCounter() {
    synchronized (sendLock) {
      return sendCounter;
    }
  }

  /**
   * Writes a complete transport message into {@code out} at {@code outOff}: the header, then {@code
   * len} plaintext bytes zero-padded to {@code paddedLen}, encrypted. {@code out} needs {@code 32 +
   * paddedLen} bytes. Returns the message length, or -1 when this keypair's counter is exhausted.
   * The plaintext may not overlap the output.
   */
  public int seal(byte[] in, int inOff, int len, int paddedLen, byte[] out, int outOff) {
    if (paddedLen < len) {
      throw new IllegalArgumentException("padded length below length");
    }
    synchronized (sendLock) {
      long counter = sendCounter;
      if (Long.compareUnsigned(counter, REJECT_AFTER_MESSAGES) >= 0) {
        return -1;
      }
      sendCounter = counter + 1;
      out[outOff] = Messages.TYPE_TRANSPORT;
      out[outOff + 1] = 0;
      out[outOff + 2] = 0;
      out[outOff + 3] = 0;
      Messages.putLe32(out, outOff + 4, keys.remoteIndex());
      Messages.putLe64(out, outOff + 8, counter);
      int body = outOff + Messages.TRANSPORT_HEADER_SIZE;
      System.arraycopy(in, inOff, out, body, len);
      java.util.Arrays.fill(out, body + len, body + paddedLen, (byte) 0);
      Messages.putLe64(sendNonce, 4, counter);
      int n = sendAead.seal(sendNonce, null, out, body, paddedLen, out, body);
      return Messages.TRANSPORT_HEADER_SIZE + n;
    }
  }

  /**
   * Authenticates and decrypts a transport message ({@code len} bytes at {@code off}) into {@code
   * out}; returns the (padded) plaintext length. Throws if it does not authenticate or its counter
   * was seen before or is too old.
   */
  public int open(byte[] msg, int off, int len, byte[] out, int outOff) throws WireGuardException {
    if (Messages.typeOf(msg, off, len) != Messages.TYPE_TRANSPORT) {
      throw new WireGuardException("not a transport message");
    }
    long counter = Messages.counter(msg, off);
    synchronized (receiveLock) {
      int body = len - Messages.TRANSPORT_HEADER_SIZE;
      if (body - ChaCha20Poly1305.TAG_SIZE > out.length - outOff) {
        throw new WireGuardException("transport packet larger than the receive buffer");
      }
      Messages.putLe64(receiveNonce, 4, counter);
      int n;
      try {
        n =
            receiveAead.open(
                receiveNonce, null, msg, off + Messages.TRANSPORT_HEADER_SIZE, body, out, outOff);
      } catch (AEADBadTagException e) {
        throw new WireGuardException("transport packet failed authentication");
      }
      if (!replay.accept(counter, REJECT_AFTER_MESSAGES)) {
        throw new WireGuardException("replayed or too old transport counter " + counter);
      }
      received = true;
      return n;
    }
  }
}
