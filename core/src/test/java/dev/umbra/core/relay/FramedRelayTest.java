package dev.umbra.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.net.Conn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The relay reads whole frames for a destination that frames its input. */
class FramedRelayTest {
  /** Records every write; frames of {@code frame} bytes (0: unframed). */
  static final class Recording extends OutputStream implements FramedOutput {
    final int frame;
    final List<Integer> writes = new ArrayList<>();
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Recording(int frame) {
      this.frame = frame;
    }

    @Override
    public synchronized void write(int b) {
      writes.add(1);
      bytes.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      writes.add(len);
      bytes.write(b, off, len);
    }

    @Override
    public int framePayload() {
      return frame;
    }
  }

  /** A conn reading from {@code in} and writing to {@code out}. */
  private static Conn conn(InputStream in, OutputStream out) {
    return new Conn() {
      @Override
      public InputStream in() {
        return in;
      }

      @Override
      public OutputStream out() {
        return out;
      }

      @Override
      public void shutdownOutput() {}

      @Override
      public void close() {}
    };
  }

  @Test
  void bulkSizeIsWholeFramesOfTheLargeBuffer() {
    int large = Relay.LARGE;
    assertThat(Relay.bulkSize(new Recording(0x3FFF))).isEqualTo(large / 0x3FFF * 0x3FFF);
    assertThat(Relay.bulkSize(new Recording(0x3FFF)) % 0x3FFF).isZero();
    assertThat(large - Relay.bulkSize(new Recording(0x3FFF))).isLessThan(0x3FFF);
    assertThat(Relay.bulkSize(new Recording(0xFFFF))).isEqualTo(large / 0xFFFF * 0xFFFF);
    assertThat(Relay.bulkSize(new Recording(0))).isEqualTo(large);
    assertThat(Relay.bulkSize(new Recording(large + 1))).isEqualTo(large);
    assertThat(Relay.bulkSize(new ByteArrayOutputStream())).isEqualTo(large);
  }

  @Property(tries = 30)
  void bulkReadsAreWholeFramesAndEveryByteArrives(
      @ForAll @IntRange(min = 1, max = 70_000) int frame,
      @ForAll @IntRange(min = 0, max = 600_000) int size,
      @ForAll long seed)
      throws Exception {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    Recording sink = new Recording(frame);
    Conn client = conn(new ByteArrayInputStream(data), new ByteArrayOutputStream());
    Conn remote = conn(new ByteArrayInputStream(new byte[0]), sink);
    Thread relay =
        Thread.ofVirtual().start(() -> Relay.pipe(client, remote, Relay.Options.DEFAULT));
    relay.join(Duration.ofSeconds(20));
    assertThat(relay.isAlive()).isFalse();
    assertThat(sink.bytes.toByteArray()).isEqualTo(data);
    int bulk = Relay.bulkSize(sink);
    List<Integer> writes = sink.writes;
    // Everything but the first small read and the tail comes in full bulk reads.
    for (int i = 1; i + 1 < writes.size(); i++) {
      assertThat(writes.get(i)).isEqualTo(bulk);
    }
    if (frame <= Relay.LARGE) {
      assertThat(bulk % frame).isZero();
    }
  }
}
