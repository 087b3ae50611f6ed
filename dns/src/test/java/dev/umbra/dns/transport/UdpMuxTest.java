package dev.umbra.dns.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.dial.DefaultDialer;
import dev.umbra.core.net.Destination;
import dev.umbra.dns.TestUpstream;
import dev.umbra.dns.message.DnsCodec;
import dev.umbra.dns.message.Messages;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** Many queries in flight on the shared socket each get their own answer, never another's. */
class UdpMuxTest {

  @Test
  void concurrentQueriesGetTheirOwnAnswersDespiteForgedOnes() throws Exception {
    try (var up =
            new TestUpstream((q, raw) -> {
              String n = q.getQuestion().getName().getLabelString(0); // "q<i>"
              int i = Integer.parseInt(n.substring(1));
              InetAddress real = addr("10.0." + (i >> 8) + "." + (i & 0xff));
              // first a forged answer with a guessed ID, then one for another question
              Message forged = Messages.addresses(q, List.of(addr("6.6.6.6")), 60);
              forged.getHeader().setID((q.getHeader().getID() + 1) & 0xffff);
              return List.of(
                  DnsCodec.encode(forged),
                  DnsCodec.encode(Messages.addresses(q, List.of(real), 60)));
            });
        var exec = Executors.newVirtualThreadPerTaskExecutor()) {
      UdpTransport t =
          new UdpTransport(
              "up",
              "udp",
              Destination.of("127.0.0.1", up.port()),
              new DefaultDialer(null, null, null),
              Duration.ofSeconds(5),
              null);
      List<Future<Message>> answers = new ArrayList<>();
      // 64 in flight at a time: a burst of 1500 would overflow the test server's socket buffer
      java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(64);
      int n = 3 * UdpMux.QUERIES_PER_SOCKET / 2; // crosses a socket replacement
      for (int i = 0; i < n; i++) {
        Message q =
            Message.newQuery(
                Record.newRecord(Name.fromString("q" + i + ".mux.test."), Type.A, DClass.IN));
        q.getHeader().setID(i & 0xffff);
        answers.add(
            exec.submit(() -> {
              inFlight.acquire();
              try {
                return t.exchange(q);
              } finally {
                inFlight.release();
              }
            }));
      }
      for (int i = 0; i < n; i++) {
        Message r = answers.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.getHeader().getID()).isEqualTo(i & 0xffff);
        assertThat(r.getQuestion().getName().toString()).isEqualTo("q" + i + ".mux.test.");
        assertThat(Messages.answerAddresses(r))
            .extracting(InetAddress::getHostAddress)
            .containsExactly("10.0." + (i >> 8) + "." + (i & 0xff));
      }
      assertThat(up.queries.get()).isEqualTo(n);
      t.close();
    }
  }

  static InetAddress addr(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
