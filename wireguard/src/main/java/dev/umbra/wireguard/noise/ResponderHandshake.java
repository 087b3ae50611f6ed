package dev.umbra.wireguard.noise;

/**
 * The responder's side of Noise_IKpsk2: opens message 1 (learning who is calling and when), then
 * builds message 2. The caller checks the initiator's key and timestamp between the two steps.
 */
public final class ResponderHandshake {
  private final byte[] peerStatic;
  private final byte[] timestamp;
  private final byte[] remoteEphemeral;
  private final int remoteIndex;
  private final byte[] chainKey;
  private final byte[] hash;

  private ResponderHandshake(
      byte[] peerStatic,
      byte[] timestamp,
      byte[] remoteEphemeral,
      int remoteIndex,
      byte[] chainKey,
      byte[] hash) {
    this.peerStatic = peerStatic;
    this.timestamp = timestamp;
    this.remoteEphemeral = remoteEphemeral;
    this.remoteIndex = remoteIndex;
    this.chainKey = chainKey;
    this.hash = hash;
  }

  /** Opens message 1 addressed to {@code local}. */
  public static ResponderHandshake consume(StaticIdentity local, Messages.Initiation m)
      throws WireGuardException {
    byte[] ck = Noise.INITIAL_CHAIN_KEY;
    byte[] h = Noise.hash(Noise.INITIAL_HASH, local.publicKey());
    byte[] e = m.ephemeral();
    ck = Noise.kdf(1, ck, e)[0];
    h = Noise.hash(h, e);
    byte[][] t = Noise.kdf(2, ck, Noise.dh(local.privateKey(), e));
    ck = t[0];
    byte[] peerStatic = Noise.open(t[1], 0, m.encryptedStatic(), h, "initiation static key");
    h = Noise.hash(h, m.encryptedStatic());
    t = Noise.kdf(2, ck, Noise.dh(local.privateKey(), peerStatic));
    ck = t[0];
    byte[] ts = Noise.open(t[1], 0, m.encryptedTimestamp(), h, "initiation timestamp");
    h = Noise.hash(h, m.encryptedTimestamp());
    return new ResponderHandshake(peerStatic, ts, e, m.sender(), ck, h);
  }

  public byte[] peerStatic() {
    return peerStatic.clone();
  }

  public byte[] timestamp() {
    return timestamp.clone();
  }

  public int remoteIndex() {
    return remoteIndex;
  }

  /** The message 2 to send and the transport keys it establishes. */
  public record Result(Messages.Response message, SessionKeys keys) {}

  public Result respond(byte[] psk, byte[] ephemeralPrivate, int localIndex)
      throws WireGuardException {
    byte[] ck = chainKey;
    byte[] h = hash;
    byte[] ephemeralPublic = dev.umbra.crypto.X25519.publicKey(ephemeralPrivate);
    ck = Noise.kdf(1, ck, ephemeralPublic)[0];
    h = Noise.hash(h, ephemeralPublic);
    ck = Noise.kdf(1, ck, Noise.dh(ephemeralPrivate, remoteEphemeral))[0];
    ck = Noise.kdf(1, ck, Noise.dh(ephemeralPrivate, peerStatic))[0];
    byte[][] t = Noise.kdf(3, ck, psk);
    ck = t[0];
    h = Noise.hash(h, t[1]);
    byte[] empty = Noise.seal(t[2], 0, new byte[0], h);
    byte[][] keys = Noise.kdf(2, ck, new byte[0]);
    return new Result(
        new Messages.Response(localIndex, remoteIndex, ephemeralPublic, empty),
        new SessionKeys(keys[1], keys[0], localIndex, remoteIndex, false));
  }
}
