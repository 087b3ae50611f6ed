package dev.umbra.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CountedConnTest {
  @Test
  void countsWhatIsWrittenAsUploadAndWhatIsReadAsDownloadAndReleasesTheTrackerOnce()
      throws Exception {
    Conn[] pipe = Pipe.create();
    RelayTest.Counter counter = new RelayTest.Counter();
    AtomicInteger released = new AtomicInteger();
    Conn counted = new CountedConn(pipe[0], counter, released::incrementAndGet);

    counted.out().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    counted.out().write('x');
    assertThat(pipe[1].in().readNBytes(19)).hasSize(19);
    pipe[1].out().write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
    pipe[1].shutdownOutput();
    assertThat(counted.in().read()).isEqualTo('H');
    assertThat(counted.in().readAllBytes()).hasSize(16);

    assertThat(counter.up.get()).isEqualTo(19);
    assertThat(counter.down.get()).isEqualTo(17);
    counted.close();
    counted.close();
    assertThat(released.get()).isEqualTo(1);
  }
}
