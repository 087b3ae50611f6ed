package dev.umbra.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RelayTest {
  /** Counts bytes per direction. */
  static final class Counter implements TrafficCounter {
    final AtomicLong up = new AtomicLong();
    final AtomicLong down = new AtomicLong();

    @Override
    public void addUp(long bytes) {
      up.addAndGet(bytes);
    }

    @Override
    public void addDown(long bytes) {
      down.addAndGet(bytes);
    }
  }

  @Test
  void halfCloseIsPropagatedAndTheOtherDirectionKeepsFlowing() throws Exception {
    Conn[] client = Pipe.create();
    Conn[] remote = Pipe.create();
    Counter counter = new Counter();
    Thread relay =
        Thread.ofVirtual()
            .start(
                () -> Relay.pipe(client[1], remote[0], new Relay.Options(null, List.of(counter))));
    client[0].out().write("request".getBytes(StandardCharsets.US_ASCII));
    client[0].shutdownOutput();
    assertThat(new String(remote[1].in().readAllBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("request");
    // the remote still answers after the client finished sending
    remote[1].out().write("response body".getBytes(StandardCharsets.US_ASCII));
    remote[1].shutdownOutput();
    assertThat(new String(client[0].in().readAllBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("response body");
    relay.join(Duration.ofSeconds(5));
    assertThat(relay.isAlive()).isFalse();
    assertThat(counter.up.get()).isEqualTo(7);
    assertThat(counter.down.get()).isEqualTo(13);
  }

  @Test
  void idleTimeoutClosesBothSides() throws Exception {
    Conn[] client = Pipe.create();
    Conn[] remote = Pipe.create();
    Thread relay =
        Thread.ofVirtual()
            .start(() ->
                Relay.pipe(
                    client[1], remote[0], new Relay.Options(Duration.ofMillis(200), List.of())));
    relay.join(Duration.ofSeconds(10));
    assertThat(relay.isAlive()).isFalse();
    assertThat(client[0].in().read()).isEqualTo(-1);
  }

  @Test
  void activityInOneDirectionKeepsTheRelayAlive() throws Exception {
    Conn[] client = Pipe.create();
    Conn[] remote = Pipe.create();
    Thread relay =
        Thread.ofVirtual()
            .start(() ->
                Relay.pipe(
                    client[1], remote[0], new Relay.Options(Duration.ofMillis(300), List.of())));
    for (int i = 0; i < 8; i++) {
      remote[1].out().write('x');
      assertThat(client[0].in().read()).isEqualTo('x');
      Thread.sleep(100);
    }
    assertThat(relay.isAlive()).isTrue();
    client[0].close();
    remote[1].close();
    relay.join(Duration.ofSeconds(5));
  }
}
