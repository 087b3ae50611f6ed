package dev.umbra.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Run by {@link NoVectorModuleTest} in a JVM without {@code jdk.incubator.vector}: the AEADs and
 * Poly1305 must work (JDK keystream, plain-Java Poly1305) and agree with the JDK; prints "OK".
 */
public final class NoVectorModuleMain {
  private NoVectorModuleMain() {}

  public static void main(String[] args) throws Exception {
    if (Simd.AVAILABLE) {
      throw new AssertionError("the incubator module is present");
    }
    Random random = new Random(7);
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    random.nextBytes(key);
    random.nextBytes(nonce);
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(key);
    if (aead.mode() != ChaCha20Poly1305.Mode.PLAIN || Simd.warm()) {
      throw new AssertionError("vector path chosen without the module");
    }
    for (int length : new int[] {0, 1, 255, 511, 512, 4097, 16383}) {
      byte[] plain = new byte[length];
      random.nextBytes(plain);
      byte[] out = new byte[length + 16];
      aead.seal(nonce, null, plain, 0, length, out, 0);
      Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
      jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
      if (!Arrays.equals(out, jdk.doFinal(plain))) {
        throw new AssertionError("seal differs from the JDK at " + length);
      }
      byte[] back = new byte[length];
      aead.open(nonce, null, out, 0, out.length, back, 0);
      if (!Arrays.equals(back, plain)) {
        throw new AssertionError("open failed at " + length);
      }
    }
    XChaCha20Poly1305 x = new XChaCha20Poly1305(key);
    byte[] xnonce = new byte[24];
    byte[] sealed = new byte[1000 + 16];
    x.seal(xnonce, null, new byte[1000], 0, 1000, sealed, 0);
    x.open(xnonce, null, sealed, 0, sealed.length, new byte[1000], 0);
    byte[] polyKey =
        HexFormat.of().parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
    byte[] tag =
        Poly1305.mac(
            polyKey, "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII));
    if (!HexFormat.of().formatHex(tag).equals("a8061dc1305136c6c22b8baf0c0127a9")) {
      throw new AssertionError("Poly1305 RFC 8439 §2.5.2 vector");
    }
    System.out.println("OK");
  }
}
