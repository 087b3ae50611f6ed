package dev.umbra.transport.quic;

import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a lost-wakeup race in kwik 0.10.8's stream output ({@code StreamOutputStreamImpl},
 * still present upstream): {@code scheduleSendStreamFrameRequest} reads {@code sendRequestsQueued
 * == 0}, queues a send request and only then increments the counter. When the sender thread runs
 * that request in between, it decrements the counter to -1, sees "a request is queued" and skips
 * queueing the follow-up for the rest of the buffered data; the late increment brings the counter
 * back to 0 with no request queued. The stream then sits with data in its send buffer, and a writer
 * blocked on the full 50 KB buffer waits forever (seen against v2ray: the download stops after a
 * few KB or MB, counter 0, buffer full, flow control open, nothing to retransmit).
 *
 * <p>A watchdog checks every open stream each {@link #TICK_MS} ms; a stream that looks stalled
 * (buffered or lost data, no request queued, not reset) on two ticks in a row gets a request queued
 * again through the same private method kwik uses. A superfluous request is harmless (kwik's own
 * comment on that race says so): it finds nothing to send, or a flow-control-blocked stream, and
 * returns nothing. Reaching into kwik needs deep reflection, which the class path allows; where it
 * is refused the watchdog is off and a warning says so.
 */
final class SendKick {
  private static final Logger LOG = LoggerFactory.getLogger(SendKick.class);

  static final long TICK_MS = 50;

  /** How long a closed stream stays watched for its last bytes and FIN to leave. */
  private static final long AFTER_CLOSE_NANOS = TimeUnit.SECONDS.toNanos(10);

  private static final Field QUEUED;
  private static final Field SEND_BUFFER;
  private static final Field RETRANSMIT;
  private static final Field RESET;
  private static final Method HAS_DATA;
  private static final Method HAS_RETRANSMIT;
  private static final Method SCHEDULE;
  private static final Class<?> OUTPUT;

  static {
    Field queued = null;
    Field sendBuffer = null;
    Field retransmit = null;
    Field reset = null;
    Method hasData = null;
    Method hasRetransmit = null;
    Method schedule = null;
    Class<?> output = null;
    try {
      output = Class.forName("tech.kwik.core.stream.StreamOutputStreamImpl");
      queued = accessible(output.getDeclaredField("sendRequestsQueued"));
      sendBuffer = accessible(output.getDeclaredField("sendBuffer"));
      retransmit = accessible(output.getDeclaredField("retransmitBuffer"));
      reset = accessible(output.getDeclaredField("reset"));
      hasData = accessible(sendBuffer.getType().getDeclaredMethod("hasData"));
      hasRetransmit = accessible(retransmit.getType().getDeclaredMethod("hasDataToRetransmit"));
      schedule =
          accessible(output.getDeclaredMethod("scheduleSendStreamFrameRequest", boolean.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "kwik internals not reachable ({}); QUIC streams may stall on kwik's lost send request",
          e.toString());
      output = null;
    }
    QUEUED = queued;
    SEND_BUFFER = sendBuffer;
    RETRANSMIT = retransmit;
    RESET = reset;
    HAS_DATA = hasData;
    HAS_RETRANSMIT = hasRetransmit;
    SCHEDULE = schedule;
    OUTPUT = output;
  }

  private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
    member.setAccessible(true);
    return member;
  }

  private static final Set<Watched> WATCHED = ConcurrentHashMap.newKeySet();
  private static final ScheduledExecutorService TICKER =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("quic-send-kick").factory());

  private static final ScheduledFuture<?> TICKING =
      OUTPUT == null
          ? null
          : TICKER.scheduleWithFixedDelay(SendKick::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);

  private SendKick() {}

  /** One stream's kwik output under watch. */
  static final class Watched {
    private final OutputStream out;
    private final String name;
    private final AtomicInteger strikes = new AtomicInteger();
    private volatile long closedAt;
    private volatile boolean closed;

    Watched(OutputStream out, String name) {
      this.out = out;
      this.name = name;
    }

    /** The stream is closed on our side: watch only until its last bytes have left (bounded). */
    void closed() {
      closedAt = System.nanoTime();
      closed = true;
    }
  }

  /** Starts watching {@code out} (kwik's output stream of one stream); null when unavailable. */
  static Watched watch(OutputStream out, String name) {
    if (TICKING == null || !OUTPUT.isInstance(out)) {
      return null;
    }
    Watched w = new Watched(out, name);
    WATCHED.add(w);
    return w;
  }

  private static void tick() {
    WATCHED.removeIf(w -> {
      try {
        return !check(w);
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.debug("quic send watchdog: {}: {}", w.name, e.toString());
        return true;
      }
    });
  }

  /** Kicks {@code w} when it looks stalled; false once it no longer needs watching. */
  private static boolean check(Watched w) throws ReflectiveOperationException {
    boolean reset = RESET.getBoolean(w.out);
    boolean pending =
        (boolean) HAS_DATA.invoke(SEND_BUFFER.get(w.out))
            || (boolean) HAS_RETRANSMIT.invoke(RETRANSMIT.get(w.out));
    if (reset || (w.closed && (!pending || System.nanoTime() - w.closedAt > AFTER_CLOSE_NANOS))) {
      return false;
    }
    boolean stalled = pending && ((AtomicInteger) QUEUED.get(w.out)).get() <= 0;
    if (!stalled) {
      w.strikes.set(0);
      return true;
    }
    if (w.strikes.incrementAndGet() >= 2) {
      w.strikes.set(0);
      LOG.trace("quic send watchdog: requeueing the send request of {}", w.name);
      SCHEDULE.invoke(w.out, true);
    }
    return true;
  }
}
