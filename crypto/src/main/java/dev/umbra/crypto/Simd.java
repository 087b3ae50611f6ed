package dev.umbra.crypto;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the SIMD (Vector API) implementations may be used: only when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}. Embedders who do not add the incubator module get the
 * scalar code, and the vector classes are then never loaded (they are only named behind this flag,
 * in static calls whose arguments are arrays and primitives, so the verifier needs not load them
 * either). {@code -Dumbra.crypto.simd=false} turns the vector code off.
 *
 * <p>Vector API code is fast only once C2 has compiled it: interpreted or at C1 every vector
 * operation allocates, and a 16 KiB ChaCha20-Poly1305 seal takes milliseconds instead of
 * microseconds. On a busy machine C2 may take tens of seconds to get there. So the first use starts
 * a daemon warm-up thread that runs the vector paths on scratch data until calls are fast, and
 * until then callers keep to the plain paths ({@link #warm}).
 */
final class Simd {
  static final boolean AVAILABLE =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
          && !"false".equals(System.getProperty("umbra.crypto.simd"));

  /** {@code -Dumbra.crypto.simd.bits=256} or {@code 512} forces a vector width (tests). */
  private static final String FORCED_BITS = System.getProperty("umbra.crypto.simd.bits", "");

  /** Warmed up, one round of seals takes about two microseconds; compiled by C1, 50 or more. */
  private static final long FAST_NANOS = 10_000;

  private static final int FAST_IN_A_ROW = 32;

  /**
   * Seals enough to pass C2's thresholds for every vector method (each gets thousands of calls);
   * after that the thread sleeps between slow calls instead of spinning while C2's queue drains.
   */
  private static final int BURST = 6_000;

  /** Gives up (plain paths for good) if C2 never compiles the vector code, e.g. with C2 off. */
  private static final long GIVE_UP_NANOS = TimeUnit.MINUTES.toNanos(10);

  private static final AtomicBoolean STARTED = new AtomicBoolean();
  private static volatile boolean warm;

  private Simd() {}

  /**
   * The vector width the vector classes use, given the CPU's widest ({@code preferredBits}): 512
   * where it has 512-bit vectors (AVX-512), else 256, unless a width is forced.
   */
  static int vectorBits(int preferredBits) {
    return switch (FORCED_BITS) {
      case "256" -> 256;
      case "512" -> 512;
      default -> preferredBits >= 512 ? 512 : 256;
    };
  }

  /** Whether the vector code runs compiled; the first call starts the warm-up. */
  static boolean warm() {
    if (warm) {
      return true;
    }
    if (AVAILABLE && STARTED.compareAndSet(false, true)) {
      Thread t = new Thread(Simd::warmUp, "umbra-simd-warmup");
      t.setDaemon(true);
      t.start();
    }
    return false;
  }

  /**
   * Until it is fast, seals a message of one ChaCha20 slab and a 300-byte tail from one more vector
   * step, and a 300-byte one (key and keystream from a single step): every vector method of both
   * ChaCha20-Poly1305 paths.
   */
  private static void warmUp() {
    byte[] nonce = new byte[ChaCha20Poly1305.NONCE_SIZE];
    int size = VectorChaCha20.SLAB + 300;
    byte[] buf = new byte[size + Aead.TAG_SIZE];
    ChaCha20Poly1305 aead = new ChaCha20Poly1305(new byte[32], ChaCha20Poly1305.Mode.VECTOR);
    long giveUp = System.nanoTime() + GIVE_UP_NANOS;
    int fast = 0;
    try {
      for (int i = 0; fast < FAST_IN_A_ROW && System.nanoTime() < giveUp; i++) {
        nonce[0] = (byte) i;
        long t0 = System.nanoTime();
        aead.seal(nonce, null, buf, 0, size, buf, 0);
        nonce[1]++;
        aead.seal(nonce, null, buf, 0, 300, buf, 0);
        if (System.nanoTime() - t0 < FAST_NANOS) {
          fast++;
        } else {
          fast = 0;
          if (i >= BURST) {
            Thread.sleep(1);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    warm = fast >= FAST_IN_A_ROW;
  }
}
