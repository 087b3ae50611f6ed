package dev.umbra.wireguard.noise;

import java.util.Arrays;

/** The initiator's side of Noise_IKpsk2: builds message 1, then consumes message 2. */
public final class InitiatorHandshake {
  private final StaticIdentity local;
  private final byte[] remoteStatic;
  private final byte[] psk;
  private final byte[] ephemeralPrivate;
  private final int localIndex;
  private final Messages.Initiation message;
  private byte[] chainKey;
  private byte[] hash;

  private InitiatorHandshake(
      StaticIdentity local,
      byte[] remoteStatic,
      byte[] psk,
      byte[] ephemeralPrivate,
      int localIndex,
      byte[] timestamp)
      throws WireGuardException {
    this.local = local;
    this.remoteStatic = remoteStatic.clone();
    this.psk = psk.clone();
    this.ephemeralPrivate = ephemeralPrivate.clone();
    this.localIndex = localIndex;
    byte[] ck = Noise.INITIAL_CHAIN_KEY;
    byte[] h = Noise.hash(Noise.INITIAL_HASH, remoteStatic);
    byte[] ephemeralPublic = dev.umbra.crypto.X25519.publicKey(ephemeralPrivate);
    ck = Noise.kdf(1, ck, ephemeralPublic)[0];
    h = Noise.hash(h, ephemeralPublic);
    byte[][] t = Noise.kdf(2, ck, Noise.dh(ephemeralPrivate, remoteStatic));
    ck = t[0];
    byte[] encStatic = Noise.seal(t[1], 0, local.publicKey(), h);
    h = Noise.hash(h, encStatic);
    t = Noise.kdf(2, ck, Noise.dh(local.privateKey(), remoteStatic));
    ck = t[0];
    byte[] encTimestamp = Noise.seal(t[1], 0, timestamp, h);
    h = Noise.hash(h, encTimestamp);
    this.chainKey = ck;
    this.hash = h;
    this.message = new Messages.Initiation(localIndex, ephemeralPublic, encStatic, encTimestamp);
  }

  /**
   * Starts a handshake with {@code remoteStatic}. The ephemeral key, timestamp and index are
   * parameters so tests can replay a fixed transcript; the device passes fresh random ones.
   */
  public static InitiatorHandshake start(
      StaticIdentity local,
      byte[] remoteStatic,
      byte[] psk,
      byte[] ephemeralPrivate,
      byte[] timestamp,
      int localIndex)
      throws WireGuardException {
    return new InitiatorHandshake(
        local, remoteStatic, psk, ephemeralPrivate, localIndex, timestamp);
  }

  public Messages.Initiation message() {
    return message;
  }

  public int localIndex() {
    return localIndex;
  }

  /** Consumes the responder's message 2 and derives the transport keys. */
  public SessionKeys finish(Messages.Response response) throws WireGuardException {
    if (response.receiver() != localIndex) {
      throw new WireGuardException("response is for another handshake");
    }
    byte[] ck = chainKey;
    byte[] h = hash;
    byte[] re = response.ephemeral();
    ck = Noise.kdf(1, ck, re)[0];
    h = Noise.hash(h, re);
    ck = Noise.kdf(1, ck, Noise.dh(ephemeralPrivate, re))[0];
    ck = Noise.kdf(1, ck, Noise.dh(local.privateKey(), re))[0];
    byte[][] t = Noise.kdf(3, ck, psk);
    ck = t[0];
    h = Noise.hash(h, t[1]);
    Noise.open(t[2], 0, response.encryptedNothing(), h, "handshake response");
    byte[][] keys = Noise.kdf(2, ck, new byte[0]);
    Arrays.fill(ephemeralPrivate, (byte) 0);
    chainKey = null;
    hash = null;
    return new SessionKeys(keys[0], keys[1], localIndex, response.sender(), true);
  }

  public byte[] remoteStatic() {
    return remoteStatic.clone();
  }
}
