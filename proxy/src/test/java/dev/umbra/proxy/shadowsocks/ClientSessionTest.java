package dev.umbra.proxy.shadowsocks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.relay.FramedOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lazily sent request header: always first, once, and the stream keeps the chunk size. */
class ClientSessionTest {
  @Test
  void plaintextStreamReportsTheSealingStreamsChunkSize() {
    AeadOutputStream sealed =
        new AeadOutputStream(
            new ByteArrayOutputStream(),
            new AeadStreamCodec(new AeadCipher(CipherKind.AES_GCM, new byte[16]), 0x3FFF),
            new byte[16]);
    OutputStream out = ClientSession.prefixed(sealed, new byte[] {1, 2, 3}).out();
    assertThat(out).isInstanceOf(FramedOutput.class);
    assertThat(((FramedOutput) out).framePayload()).isEqualTo(0x3FFF);
    // method none: bytes pass unframed
    OutputStream plain = ClientSession.prefixed(new ByteArrayOutputStream(), new byte[] {1}).out();
    assertThat(((FramedOutput) plain).framePayload()).isZero();
  }

  @Test
  void headerGoesFirstAndOnceWhenAWriteRacesTheReadSideTimeout() throws Exception {
    for (int round = 0; round < 300; round++) {
      List<String> wire = Collections.synchronizedList(new ArrayList<>());
      OutputStream after =
          new OutputStream() {
            @Override
            public void write(int b) {
              wire.add("byte");
            }

            @Override
            public void write(byte[] b, int off, int len) {
              wire.add("data" + len);
            }
          };
      ClientSession session =
          new ClientSession(
              (b, off, len) -> {
                Thread.yield(); // widen the window a racing write could slip through
                wire.add("header+" + len);
              },
              after);
      OutputStream out = session.out();
      CountDownLatch go = new CountDownLatch(1);
      Thread writer =
          Thread.ofVirtual()
              .start(() -> {
                try {
                  go.await(5, TimeUnit.SECONDS);
                  out.write(new byte[5], 0, 5);
                  out.write(new byte[7], 0, 7);
                } catch (IOException | InterruptedException e) {
                  throw new AssertionError(e);
                }
              });
      go.countDown();
      session.sendHeaderNow();
      writer.join(5_000);
      assertThat(writer.isAlive()).isFalse();
      assertThat(wire).hasSizeBetween(2, 3);
      assertThat(wire.getFirst()).startsWith("header+");
      assertThat(wire.stream().filter(s -> s.startsWith("header")).count()).isEqualTo(1);
      assertThat(wire.getLast()).isEqualTo("data7");
    }
  }
}
