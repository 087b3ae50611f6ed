package dev.umbra.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439 §2.8) with our {@link Poly1305} and one of two keystreams:
 *
 * <ul>
 *   <li>with {@code jdk.incubator.vector} in the boot layer ({@link Simd}): {@link VectorChaCha20},
 *       eight blocks per step in AVX2 registers, with {@link ChaCha20Core} for the Poly1305 key
 *       block and short tails, and Poly1305's own vector path;
 *   <li>otherwise the JDK's "ChaCha20" cipher (it has an AVX2 intrinsic), run in DECRYPT_MODE,
 *       which is the same XOR as encryption but lets one {@link Cipher} be re-initialised for every
 *       message. The JDK's own "ChaCha20-Poly1305" is 3–4× slower on CPUs without AVX-512 IFMA
 *       because its Poly1305 has no other intrinsic.
 * </ul>
 *
 * <p>Nonce uniqueness is the caller's job, as with any AEAD. One instance per thread.
 */
public final class ChaCha20Poly1305 implements Aead {
  public static final int KEY_SIZE = 32;
  public static final int NONCE_SIZE = 12;

  private static final byte[] ZERO_BLOCK = new byte[64];

  /** Tails shorter than this go through the one-block core instead of an eight-block slab. */
  private static final int SCALAR_TAIL = 256;

  private final byte[] key;
  private final SecretKeySpec keySpec;
  private final boolean simd;
  private final Poly1305 poly;
  private final byte[] tag = new byte[TAG_SIZE];
  // JDK path
  private final Cipher chacha;
  private final byte[] block0 = new byte[64];
  // Vector path
  private final int[] state;
  private final int[] words;
  private final int[] scratch;
  private final byte[] slab;

  public ChaCha20Poly1305(byte[] key) {
    this(key, true);
  }

  /** {@code simd = false} forces the JDK keystream and plain-Java Poly1305 (tests run both). */
  ChaCha20Poly1305(byte[] key, boolean simd) {
    if (key != null && key.length != KEY_SIZE) {
      throw new IllegalArgumentException("ChaCha20-Poly1305 needs a 32-byte key");
    }
    this.simd = simd && Simd.AVAILABLE;
    this.key = key == null ? null : key.clone();
    this.poly = new Poly1305(this.simd);
    if (this.simd) {
      this.keySpec = null;
      this.chacha = null;
      this.state = new int[16];
      this.words = new int[16];
      this.scratch = new int[VectorChaCha20.SCRATCH];
      this.slab = new byte[VectorChaCha20.SLAB];
    } else {
      this.keySpec = key == null ? null : new SecretKeySpec(key, "ChaCha20");
      this.state = null;
      this.words = null;
      this.scratch = null;
      this.slab = null;
      try {
        this.chacha = Cipher.getInstance("ChaCha20");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("JDK lacks ChaCha20", e);
      }
    }
  }

  /** The key-less engine XChaCha20-Poly1305 drives with a subkey per message. */
  ChaCha20Poly1305() {
    this(null, true);
  }

  /** Whether this instance runs the Vector API code. */
  boolean simd() {
    return simd;
  }

  @Override
  public int nonceSize() {
    return NONCE_SIZE;
  }

  @Override
  public int seal(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    return seal(key, nonce, aad, in, inOff, len, out, outOff);
  }

  @Override
  public int open(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    return open(key, nonce, aad, in, inOff, len, out, outOff);
  }

  int seal(
      byte[] key, byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    checkBounds(in, inOff, len, out, outOff, len + TAG_SIZE);
    start(key, nonce);
    xor(in, inOff, len, out, outOff);
    authenticate(aad, out, outOff, len);
    poly.finish(out, outOff + len);
    return len + TAG_SIZE;
  }

  int open(
      byte[] key, byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws AEADBadTagException {
    if (len < TAG_SIZE) {
      throw new AEADBadTagException("ciphertext shorter than a tag");
    }
    int plain = len - TAG_SIZE;
    checkBounds(in, inOff, len, out, outOff, plain);
    start(key, nonce);
    authenticate(aad, in, inOff, plain);
    poly.finish(tag, 0);
    if (!Poly1305.tagsEqual(tag, 0, in, inOff + plain)) {
      throw new AEADBadTagException("Tag mismatch");
    }
    xor(in, inOff, plain, out, outOff);
    return plain;
  }

  /**
   * Keys the stream at block 0, takes the Poly1305 key from it and leaves the stream at block 1.
   */
  private void start(byte[] key, byte[] nonce) {
    if (nonce.length != NONCE_SIZE) {
      throw new IllegalArgumentException("ChaCha20-Poly1305 needs a 12-byte nonce");
    }
    if (simd) {
      ChaCha20Core.init(state, key, nonce, 0);
      ChaCha20Core.xor(state, words, ZERO_BLOCK, 0, block0, 0, 64);
      Arrays.fill(words, 0);
    } else {
      SecretKeySpec spec = keySpec != null ? keySpec : new SecretKeySpec(key, "ChaCha20");
      try {
        chacha.init(Cipher.DECRYPT_MODE, spec, new ChaCha20ParameterSpec(nonce, 0));
        chacha.update(ZERO_BLOCK, 0, 64, block0, 0);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("ChaCha20 failed", e);
      }
    }
    poly.init(block0, 0);
    Arrays.fill(block0, (byte) 0);
  }

  /** XORs the keystream from block 1 on into {@code out}. */
  private void xor(byte[] in, int inOff, int len, byte[] out, int outOff) {
    if (!simd) {
      try {
        chacha.doFinal(in, inOff, len, out, outOff);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("ChaCha20 failed", e);
      }
      return;
    }
    int slabs = len / VectorChaCha20.SLAB;
    if (slabs > 0) {
      VectorChaCha20.xor(state, scratch, in, inOff, out, outOff, slabs);
    }
    int done = slabs * VectorChaCha20.SLAB;
    int rest = len - done;
    if (rest >= SCALAR_TAIL) {
      System.arraycopy(in, inOff + done, slab, 0, rest);
      VectorChaCha20.xor(state, scratch, slab, 0, slab, 0, 1);
      System.arraycopy(slab, 0, out, outOff + done, rest);
      Arrays.fill(slab, (byte) 0);
    } else if (rest > 0) {
      ChaCha20Core.xor(state, words, in, inOff + done, out, outOff + done, rest);
      Arrays.fill(words, 0);
    }
    Arrays.fill(scratch, 0);
  }

  /** MAC input: aad, pad, ciphertext, pad, le64(aad length), le64(ciphertext length). */
  private void authenticate(byte[] aad, byte[] ct, int off, int len) {
    int aadLen = 0;
    if (aad != null && aad.length > 0) {
      poly.update(aad, 0, aad.length);
      poly.padToBlock();
      aadLen = aad.length;
    }
    poly.update(ct, off, len);
    poly.updateWords(aadLen, len);
  }

  private static void checkBounds(
      byte[] in, int inOff, int len, byte[] out, int outOff, int outLen) {
    Objects.checkFromIndexSize(inOff, len, in.length);
    Objects.checkFromIndexSize(outOff, outLen, out.length);
  }
}
