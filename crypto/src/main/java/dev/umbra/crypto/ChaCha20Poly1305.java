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
 *   <li>with {@code jdk.incubator.vector} in the boot layer, once the vector code is compiled
 *       ({@link Simd}): {@link VectorChaCha20}, eight blocks per step in AVX2 registers or sixteen
 *       in AVX-512 ones, and Poly1305's own vector path. A message that fits in one step after the
 *       key block takes its Poly1305 key and its keystream from that step (cheaper than two single
 *       blocks); a longer one gets its key block from {@link ChaCha20Core}, which also does tails
 *       of up to 64 bytes;
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

  /**
   * Tails up to this long go through the one-block core; longer ones take one vector step (eight or
   * sixteen blocks), which costs about as much as two single blocks.
   */
  private static final int SCALAR_TAIL = 64;

  /** Which keystream and Poly1305 to run. */
  enum Mode {
    /** The Vector API paths once {@link Simd#warm} says they are compiled, else the plain ones. */
    AUTO,
    /** The Vector API paths always (tests; the warm-up itself). */
    VECTOR,
    /** The JDK keystream and plain-Java Poly1305. */
    PLAIN
  }

  private final byte[] key;
  private final SecretKeySpec keySpec;
  private final Mode mode;
  private final Poly1305 poly;
  private final Poly1305 vectorPoly;
  private final byte[] tag = new byte[TAG_SIZE];
  private final byte[] block0 = new byte[64];
  // Plain path
  private final Cipher chacha;
  // Vector path
  private final int[] state;
  private final int[] words;
  private final int[] scratch;
  private final byte[] keys;
  // The path of the current call.
  private boolean simd;
  private boolean head;
  private Poly1305 mac;

  public ChaCha20Poly1305(byte[] key) {
    this(key, Mode.AUTO);
  }

  ChaCha20Poly1305(byte[] key, Mode mode) {
    if (key != null && key.length != KEY_SIZE) {
      throw new IllegalArgumentException("ChaCha20-Poly1305 needs a 32-byte key");
    }
    this.mode = Simd.AVAILABLE ? mode : Mode.PLAIN;
    this.key = key == null ? null : key.clone();
    this.keySpec = key == null ? null : new SecretKeySpec(key, "ChaCha20");
    this.poly = new Poly1305(false);
    if (this.mode != Mode.PLAIN) {
      this.vectorPoly = new Poly1305(true);
      this.state = new int[16];
      this.words = new int[16];
      this.scratch = new int[VectorChaCha20.SCRATCH];
      this.keys = new byte[VectorChaCha20.SLAB];
    } else {
      this.vectorPoly = null;
      this.state = null;
      this.words = null;
      this.scratch = null;
      this.keys = null;
    }
    if (this.mode != Mode.VECTOR) {
      try {
        this.chacha = Cipher.getInstance("ChaCha20");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("JDK lacks ChaCha20", e);
      }
    } else {
      this.chacha = null;
    }
  }

  /** The key-less engine XChaCha20-Poly1305 drives with a subkey per message. */
  ChaCha20Poly1305() {
    this(null, Mode.AUTO);
  }

  /** The mode in effect ({@link Mode#PLAIN} whenever the incubator module is absent). */
  Mode mode() {
    return mode;
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
    start(key, nonce, len);
    xor(in, inOff, len, out, outOff);
    authenticate(aad, out, outOff, len);
    mac.finish(out, outOff + len);
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
    start(key, nonce, plain);
    authenticate(aad, in, inOff, plain);
    mac.finish(tag, 0);
    if (!Poly1305.tagsEqual(tag, 0, in, inOff + plain)) {
      if (head) {
        Arrays.fill(keys, (byte) 0);
      }
      throw new AEADBadTagException("Tag mismatch");
    }
    xor(in, inOff, plain, out, outOff);
    return plain;
  }

  /**
   * Keys the stream at block 0 and takes the Poly1305 key from it; leaves the stream at block 1, or
   * on the vector path for a message that fits in the rest of one step, its keystream in {@code
   * keys[64..]}.
   */
  private void start(byte[] key, byte[] nonce, int len) {
    if (nonce.length != NONCE_SIZE) {
      throw new IllegalArgumentException("ChaCha20-Poly1305 needs a 12-byte nonce");
    }
    simd = mode == Mode.VECTOR || (mode == Mode.AUTO && Simd.warm());
    mac = simd ? vectorPoly : poly;
    head = simd && len <= keys.length - 64;
    if (head) {
      ChaCha20Core.init(state, key, nonce, 0);
      VectorChaCha20.keystream(state, scratch, keys);
      Arrays.fill(scratch, 0);
      mac.init(keys, 0);
      return;
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
    mac.init(block0, 0);
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
    if (head) {
      VectorChaCha20.xor(in, inOff, keys, 64, out, outOff, len);
      Arrays.fill(keys, (byte) 0);
      return;
    }
    int slabs = len / VectorChaCha20.SLAB;
    if (slabs > 0) {
      VectorChaCha20.xor(state, scratch, in, inOff, out, outOff, slabs);
    }
    int done = slabs * VectorChaCha20.SLAB;
    int rest = len - done;
    if (rest > SCALAR_TAIL) {
      VectorChaCha20.keystream(state, scratch, keys);
      VectorChaCha20.xor(in, inOff + done, keys, 0, out, outOff + done, rest);
    } else if (rest > 0) {
      ChaCha20Core.xor(state, words, in, inOff + done, out, outOff + done, rest);
      Arrays.fill(words, 0);
    }
    Arrays.fill(scratch, 0);
    Arrays.fill(keys, (byte) 0);
  }

  /** MAC input: aad, pad, ciphertext, pad, le64(aad length), le64(ciphertext length). */
  private void authenticate(byte[] aad, byte[] ct, int off, int len) {
    int aadLen = 0;
    if (aad != null && aad.length > 0) {
      mac.update(aad, 0, aad.length);
      mac.padToBlock();
      aadLen = aad.length;
    }
    mac.update(ct, off, len);
    mac.updateWords(aadLen, len);
  }

  private static void checkBounds(
      byte[] in, int inOff, int len, byte[] out, int outOff, int outLen) {
    Objects.checkFromIndexSize(inOff, len, in.length);
    Objects.checkFromIndexSize(outOff, outLen, out.length);
  }
}
