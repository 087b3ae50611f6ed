// AEAD micro-benchmark: the JDK's ChaCha20-Poly1305 against crypto's ChaCha20Poly1305, their
// parts, and JDK AES-GCM, in one JVM, alternating, timed by the thread's CPU time (so the figures
// stay comparable on a loaded machine). Relative figures are what count.
//   ./mvnw -B -o -q -pl crypto compile
//   java --add-modules jdk.incubator.vector -cp crypto/target/classes bench/AeadBench.java [chunk-bytes] [names...]
// With --add-modules jdk.incubator.vector, crypto's ChaCha20 and Poly1305 run on the Vector API;
// without it, the same classes take their plain paths (the JDK keystream and scalar Poly1305), so
// running both ways compares the two on one machine. The vector paths take over only once C2 has
// compiled them (crypto starts a warm-up thread on first use; on a busy machine that can take 10 s
// or more): give it rounds, e.g. -Drounds=15, and read the last ones. Each op's heap allocation
// per call is printed at the end (a warmed-up seal or open of ours allocates nothing).
// Shadowsocks seals every chunk as a 2-byte length chunk plus a payload of up to 16383 bytes, each
// with its own nonce: the ours-*-2B ops time the length chunk.
import dev.umbra.crypto.AesGcm;
import dev.umbra.crypto.ChaCha20Poly1305;
import dev.umbra.crypto.Poly1305;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

public class AeadBench {
  interface Op {
    void run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 16383;
    Set<String> only = args.length > 1 ? Set.of(Arrays.copyOfRange(args, 1, args.length)) : null;
    byte[] key = new byte[32];
    new Random(1).nextBytes(key);
    byte[] in = new byte[size + 16];
    byte[] out = new byte[size + 16];
    byte[] nonce = new byte[12];
    long[] counter = {0};
    Runnable next = () -> {
      long c = ++counter[0];
      for (int i = 0; i < 8; i++) nonce[i] = (byte) (c >>> (8 * i));
    };
    SecretKeySpec chachaKey = new SecretKeySpec(key, "ChaCha20");
    Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
    Cipher jdkOpen = Cipher.getInstance("ChaCha20-Poly1305");
    Cipher stream = Cipher.getInstance("ChaCha20");
    ChaCha20Poly1305 ours = new ChaCha20Poly1305(key);
    Poly1305 poly = new Poly1305();
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    SecretKeySpec aesKey = new SecretKeySpec(Arrays.copyOf(key, 16), "AES");
    AesGcm aes = new AesGcm(Arrays.copyOf(key, 16));
    byte[] fixed = new byte[12];
    byte[] sealed = new byte[size + 16];
    ours.seal(fixed, null, in, 0, size, sealed, 0);
    byte[] sealed2 = new byte[2 + 16];
    ours.seal(fixed, null, in, 0, 2, sealed2, 0);
    byte[] sealedGcm = new byte[size + 16];
    aes.seal(fixed, null, in, 0, size, sealedGcm, 0);

    Map<String, Op> ops = new LinkedHashMap<>();
    ops.put("jdk-chacha20poly1305-seal", () -> {
      next.run();
      jdk.init(Cipher.ENCRYPT_MODE, chachaKey, new IvParameterSpec(nonce));
      jdk.doFinal(in, 0, size, out, 0);
    });
    ops.put("jdk-chacha20poly1305-open", () -> {
      jdkOpen.init(Cipher.DECRYPT_MODE, chachaKey, new IvParameterSpec(fixed));
      jdkOpen.doFinal(sealed, 0, size + 16, out, 0);
    });
    ops.put("ours-chacha20poly1305-seal", () -> {
      next.run();
      ours.seal(nonce, null, in, 0, size, out, 0);
    });
    ops.put("ours-chacha20poly1305-open", () -> ours.open(fixed, null, sealed, 0, size + 16, out, 0));
    ops.put("ours-chacha20poly1305-seal-2B", () -> {
      next.run();
      ours.seal(nonce, null, in, 0, 2, out, 0);
    });
    ops.put("ours-chacha20poly1305-open-2B", () -> ours.open(fixed, null, sealed2, 0, 18, out, 0));
    ops.put("jdk-chacha20-keystream", () -> {
      stream.init(Cipher.DECRYPT_MODE, chachaKey, new ChaCha20ParameterSpec(fixed, 1));
      stream.doFinal(in, 0, size, out, 0);
    });
    ops.put("ours-poly1305", () -> {
      poly.init(key, 0);
      poly.update(in, 0, size);
      poly.finish(out, 0);
    });
    ops.put("jdk-aes128gcm-seal", () -> {
      next.run();
      gcm.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, nonce));
      gcm.doFinal(in, 0, size, out, 0);
    });
    ops.put("aesgcm-open", () -> aes.open(fixed, null, sealedGcm, 0, size + 16, out, 0));

    System.out.println("jdk.incubator.vector "
        + (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            ? "present: Vector API paths" : "absent: plain paths"));
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int rounds = Integer.getInteger("rounds", 5);
    for (int round = 0; round < rounds; round++) {
      StringBuilder sb = new StringBuilder("round " + round + " (" + size + "-byte messages):");
      for (var e : ops.entrySet()) {
        if (only != null && !only.contains(e.getKey())) continue;
        Op op = e.getValue();
        long wall = System.nanoTime();
        long cpu = mx.getCurrentThreadCpuTime();
        long n = 0;
        while (System.nanoTime() - wall < 1_000_000_000L) {
          for (int i = 0; i < 16; i++) op.run();
          n += 16;
        }
        double s = (mx.getCurrentThreadCpuTime() - cpu) / 1e9;
        int bytes = e.getKey().endsWith("-2B") ? 2 : size;
        sb.append(String.format("%n  %-28s %8.2f Gbit/s %10.0f ns/msg",
            e.getKey(), n * (double) bytes * 8 / s / 1e9, s * 1e9 / n));
      }
      System.out.println(sb);
    }
    StringBuilder sb = new StringBuilder("heap allocated per call:");
    for (var e : ops.entrySet()) {
      if (only != null && !only.contains(e.getKey())) continue;
      long before = mx.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 1000; i++) e.getValue().run();
      sb.append(String.format("%n  %-28s %8.1f bytes",
          e.getKey(), (mx.getCurrentThreadAllocatedBytes() - before) / 1000.0));
    }
    System.out.println(sb);
  }
}
