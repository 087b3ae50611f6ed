package dev.umbra.wireguard.noise;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

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
  private final SecretKeySpec sendKey;
  private final SecretKeySpec receiveKey;
  private final Cipher sendCipher;
  private final Cipher receiveCipher;
  private final ReplayWindow replay = new ReplayWindow();
  private final Object sendLock = new Object();
  private final Object receiveLock = new Object();
  private long sendCounter;
  private volatile boolean received;

  public Session(SessionKeys keys, long createdNanos) {
    this.keys = keys;
    this.createdNanos = createdNanos;
    this.sendKey = new SecretKeySpec(keys.sendKey(), "ChaCha20");
    this.receiveKey = new SecretKeySpec(keys.receiveKey(), "ChaCha20");
    try {
      this.sendCipher = Cipher.getInstance("ChaCha20-Poly1305");
      this.receiveCipher = Cipher.getInstance("ChaCha20-Poly1305");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks ChaCha20-Poly1305", e);
    }
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
      try {
        sendCipher.init(Cipher.ENCRYPT_MODE, sendKey, Noise.nonce(counter));
        int n = sendCipher.doFinal(out, body, paddedLen, out, body);
        return Messages.TRANSPORT_HEADER_SIZE + n;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("transport encryption failed", e);
      }
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
      int n;
      try {
        receiveCipher.init(Cipher.DECRYPT_MODE, receiveKey, Noise.nonce(counter));
        n =
            receiveCipher.doFinal(
                msg,
                off + Messages.TRANSPORT_HEADER_SIZE,
                len - Messages.TRANSPORT_HEADER_SIZE,
                out,
                outOff);
      } catch (AEADBadTagException e) {
        throw new WireGuardException("transport packet failed authentication");
      } catch (ShortBufferException e) {
        throw new WireGuardException("transport packet larger than the receive buffer");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("transport decryption failed", e);
      }
      if (!replay.accept(counter, REJECT_AFTER_MESSAGES)) {
        throw new WireGuardException("replayed or too old transport counter " + counter);
      }
      received = true;
      return n;
    }
  }
}
