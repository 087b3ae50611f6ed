package dev.umbra.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class PipeTest {
  /** Whatever the write and read sizes, bytes arrive in order and complete (the buffer grows). */
  @Property(tries = 60)
  void bytesArriveInOrderWhateverTheChunkSizes(
      @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 200_000) Integer> writes,
      @ForAll @IntRange(min = 1, max = 100_000) int readSize,
      @ForAll long seed)
      throws Exception {
    Conn[] pipe = Pipe.create();
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    Random random = new Random(seed);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<byte[]> received =
          pool.submit(() -> {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[readSize];
            for (int n; (n = pipe[1].in().read(buf)) >= 0; ) {
              got.write(buf, 0, n);
            }
            return got.toByteArray();
          });
      for (int size : writes) {
        byte[] chunk = new byte[size];
        random.nextBytes(chunk);
        pipe[0].out().write(chunk);
        sent.write(chunk);
      }
      pipe[0].shutdownOutput();
      assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(sent.toByteArray());
    }
  }
}
