package dev.umbra.dns.router;

import static dev.umbra.dns.router.DnsRouterTest.CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/**
 * A cache hit answered into the server's own buffer allocates nothing: the bytes this thread
 * allocates over many hits are counted (an allocation count, not a timing). The JIT compiles the
 * path first, so escape analysis and inlining are what a running server gets.
 */
class ServeAtOnceAllocationTest {
  static final int WARM = 200_000;
  static final int HITS = 100_000;

  @Test
  void aHitIntoTheCallersBufferAllocatesNothing() throws Exception {
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assertThat(mx.isThreadAllocatedMemorySupported()).isTrue();
    mx.setThreadAllocatedMemoryEnabled(true);
    try (var up = ServeAtOnceTest.upstream()) {
      DnsRouter r = ServeAtOnceTest.router(up.port(), "");
      // four clients' queries in turn: different IDs, case, with and without EDNS0
      byte[][] queries = {
        ServeAtOnceTest.wire("alloc.bench.test", Type.A, 0x1234, null),
        ServeAtOnceTest.wire("ALLOC.bench.test", Type.A, 0x2345, null),
        ServeAtOnceTest.wire("alloc.bench.test", Type.A, 0x3456, 1232),
        ServeAtOnceTest.wire("alloc.Bench.TEST", Type.A, 0x4567, 4096),
      };
      r.serve(queries[0], queries[0].length, CLIENT, false);
      byte[] out = new byte[65_535];
      long sum = 0;
      for (int i = 0; i < WARM; i++) {
        byte[] q = queries[i & 3];
        sum += r.serveAtOnce(q, q.length, CLIENT, false, out);
      }
      long tid = Thread.currentThread().threadId();
      long before = mx.getThreadAllocatedBytes(tid);
      for (int i = 0; i < HITS; i++) {
        byte[] q = queries[i & 3];
        sum += r.serveAtOnce(q, q.length, CLIENT, false, out);
      }
      long allocated = mx.getThreadAllocatedBytes(tid) - before;
      assertThat(sum).isPositive(); // every one a hit (a miss is -1)
      for (byte[] q : new byte[][] {queries[0], queries[2]}) { // the full path's case: as stored
        int n = r.serveAtOnce(q, q.length, CLIENT, false, out);
        assertThat(java.util.Arrays.copyOf(out, n)).isEqualTo(r.serve(q, q.length, CLIENT, false));
      }
      System.out.printf(
          "serveAtOnce: %.3f bytes allocated per cached hit%n", allocated / (double) HITS);
      // zero per hit; a few hundred bytes of slack for whatever the JVM itself does meanwhile
      assertThat(allocated / (double) HITS).as("bytes allocated per hit").isLessThan(1.0);
      assertThat(up.queries.get()).isEqualTo(1); // one entry serves with and without EDNS0
    }
  }
}
