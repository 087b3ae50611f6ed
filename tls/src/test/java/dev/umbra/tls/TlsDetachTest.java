package dev.umbra.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Pipe;
import dev.umbra.testkit.TestCerts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handing a TLS connection's directions over to raw use of the carrier (XTLS Vision's direct copy):
 * the last record's unread plaintext and the carrier bytes read past it come back, in order, and
 * nothing after the last record is ever taken for TLS.
 */
class TlsDetachTest {
  @TempDir static Path dir;
  static TestCerts certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TestCerts.create(dir);
  }

  /** {client, server} over an in-memory pipe. */
  private static TlsConn[] pair(String version) throws Exception {
    Conn[] pipe = Pipe.create();
    return TlsTestPair.handshake(certs, version, pipe[0], pipe[1]);
  }

  /** Bytes that look like a TLS 1.3 application data record (what Vision carries raw). */
  private static byte[] fakeRecords(int n) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    Random r = new Random(n);
    for (int i = 0; i < n; i++) {
      byte[] body = new byte[100 + i];
      r.nextBytes(body);
      b.write(0x17);
      b.write(3);
      b.write(3);
      b.write(body.length >>> 8);
      b.write(body.length);
      b.writeBytes(body);
    }
    return b.toByteArray();
  }

  @Test
  void rawBytesInTheSameCarrierReadAsTheLastRecordComeBackUndecrypted() throws Exception {
    for (String version : new String[] {"1.3", "1.2"}) {
      TlsConn[] p = pair(version);
      try (TlsConn c = p[0];
          TlsConn s = p[1]) {
        // server: two records, then raw bytes right behind them, all before the client reads,
        // so one read from the pipe takes the records and the raw bytes together
        s.out().write("hello".getBytes(StandardCharsets.US_ASCII));
        s.out().write("XY".getBytes(StandardCharsets.US_ASCII));
        Conn carrier = s.detachOutput();
        byte[] raw = fakeRecords(8);
        carrier.out().write(raw);
        carrier.out().flush();
        assertThatThrownBy(() -> s.out().write(1))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("detached");

        byte[] buf = new byte[64 * 1024];
        // one record at most, however much room there is
        assertThat(new String(buf, 0, c.readWithinRecord(buf, 0, buf.length), "US-ASCII"))
            .isEqualTo("hello");
        assertThat(c.readWithinRecord(buf, 0, 1)).isEqualTo(1);
        assertThat((char) buf[0]).isEqualTo('X');
        TlsConn.Detached d = c.detachInput();
        assertThat(d.carrier()).isNotNull();
        assertThat(new String(d.plaintext(), StandardCharsets.US_ASCII)).isEqualTo("Y");
        assertThat(d.undecrypted()).isEqualTo(raw); // read with the records, never decrypted
        assertThatThrownBy(() -> c.in().read())
            .isInstanceOf(IOException.class)
            .hasMessageContaining("detached");
        assertThatThrownBy(() -> c.readWithinRecord(buf, 0, 1)).isInstanceOf(IOException.class);

        // more raw bytes later, then a half-close through the TlsConn: no close_notify appears
        byte[] more = fakeRecords(3);
        carrier.out().write(more);
        s.shutdownOutput();
        InputStream in = d.stream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write('Y');
        expected.writeBytes(raw);
        expected.writeBytes(more);
        assertThat(in.readAllBytes()).isEqualTo(expected.toByteArray());
      }
    }
  }

  @Test
  void eachDirectionDetachesOnItsOwn() throws Exception {
    TlsConn[] p = pair("1.3");
    try (TlsConn c = p[0];
        TlsConn s = p[1]) {
      // the client goes raw upstream while the server still answers through TLS
      c.out().write("last tls".getBytes(StandardCharsets.US_ASCII));
      Conn up = c.detachOutput();
      byte[] raw = fakeRecords(5);
      up.out().write(raw);
      byte[] buf = new byte[64];
      int n = s.readWithinRecord(buf, 0, buf.length);
      assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).isEqualTo("last tls");
      InputStream serverRaw = s.detachInput().stream();
      assertThat(serverRaw.readNBytes(raw.length)).isEqualTo(raw);

      s.out().write("still tls".getBytes(StandardCharsets.US_ASCII));
      assertThat(new String(c.in().readNBytes(9), StandardCharsets.US_ASCII))
          .isEqualTo("still tls");
      // then the server goes raw too, with nothing buffered behind its last record
      Conn down = s.detachOutput();
      TlsConn.Detached d = c.detachInput();
      assertThat(d.plaintext()).isEmpty();
      down.out().write(raw);
      assertThat(d.stream().readNBytes(raw.length)).isEqualTo(raw);
      c.shutdownOutput();
      assertThat(serverRaw.read()).isEqualTo(-1);
    }
  }

  @Test
  void readWithinRecordSkipsRecordsWithoutData() throws Exception {
    TlsConn[] p = pair("1.3");
    try (TlsConn c = p[0];
        TlsConn s = p[1]) {
      // the server's session tickets reach the client before any data: they are consumed, not
      // returned, and the first data record still comes back alone
      byte[] big = new byte[20_000];
      new Random(4).nextBytes(big);
      s.out().write(big); // two records
      byte[] buf = new byte[64 * 1024];
      int n = c.readWithinRecord(buf, 0, buf.length);
      assertThat(n).isBetween(1, big.length - 1);
      assertThat(Arrays.copyOf(buf, n)).isEqualTo(Arrays.copyOf(big, n));
      assertThat(c.in().readNBytes(big.length - n))
          .isEqualTo(Arrays.copyOfRange(big, n, big.length));
      s.shutdownOutput();
      assertThat(c.readWithinRecord(buf, 0, 1)).isEqualTo(-1);
    }
  }
}
