package dev.umbra.crypto;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.Blake3Digest;
import org.bouncycastle.crypto.params.Blake3Parameters;

/** BLAKE3 hash and key derivation (BouncyCastle's lightweight digest; the JDK has none). */
public final class Blake3 {
  private Blake3() {}

  /** BLAKE3 {@code derive_key(context, material)} producing {@code length} bytes. */
  public static byte[] deriveKey(String context, byte[] material, int length) {
    Blake3Digest d = new Blake3Digest(length * 8);
    d.init(Blake3Parameters.context(context.getBytes(StandardCharsets.UTF_8)));
    d.update(material, 0, material.length);
    byte[] out = new byte[length];
    d.doFinal(out, 0, length);
    return out;
  }

  /** Plain BLAKE3 hash producing {@code length} bytes. */
  public static byte[] hash(byte[] input, int length) {
    Blake3Digest d = new Blake3Digest(length * 8);
    d.update(input, 0, input.length);
    byte[] out = new byte[length];
    d.doFinal(out, 0, length);
    return out;
  }
}
