package dev.umbra.core.relay;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Method;
import java.nio.channels.SocketChannel;
import java.util.Optional;

/**
 * The Linux system calls a zero-copy relay needs ({@code splice}, {@code pipe2}, {@code poll},
 * {@code dup}), bound with FFM. Available only on Linux when the JVM lets us read a channel's file
 * descriptor ({@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, which the launcher passes).
 *
 * <p>Every call blocks its carrier, so callers run these on platform threads.
 */
final class LinuxSplice {
  static final int EAGAIN = 11;
  static final int EINTR = 4;
  static final short POLLIN = 0x1;
  static final short POLLOUT = 0x4;
  private static final int SPLICE_F_MOVE = 1;
  private static final int SPLICE_F_NONBLOCK = 2;
  private static final int O_NONBLOCK = 04000;
  private static final int O_CLOEXEC = 02000000;
  private static final int F_SETPIPE_SZ = 1031;
  private static final int SHUT_RDWR = 2;

  private static final StructLayout POLLFD =
      java.lang.foreign.MemoryLayout.structLayout(
          JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents"));

  private static final Optional<LinuxSplice> INSTANCE = load();

  private final MethodHandle fdVal;
  private final MethodHandle splice;
  private final MethodHandle pipe2;
  private final MethodHandle poll;
  private final MethodHandle dup;
  private final MethodHandle close;
  private final MethodHandle shutdown;
  private final MethodHandle fcntl;
  private final VarHandle errno;
  private final long errnoSize;

  private LinuxSplice(Method getFdVal) throws ReflectiveOperationException {
    Linker linker = Linker.nativeLinker();
    SymbolLookup libc = linker.defaultLookup();
    Linker.Option errnoOption = Linker.Option.captureCallState("errno");
    StructLayout state = Linker.Option.captureStateLayout();
    this.errno = state.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    this.errnoSize = state.byteSize();
    this.fdVal = java.lang.invoke.MethodHandles.lookup().unreflect(getFdVal);
    this.splice =
        linker.downcallHandle(
            libc.find("splice").orElseThrow(),
            FunctionDescriptor.of(
                JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
            errnoOption);
    this.pipe2 =
        linker.downcallHandle(
            libc.find("pipe2").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
            errnoOption);
    this.poll =
        linker.downcallHandle(
            libc.find("poll").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
            errnoOption);
    this.dup =
        linker.downcallHandle(
            libc.find("dup").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT), errnoOption);
    this.close =
        linker.downcallHandle(
            libc.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    this.shutdown =
        linker.downcallHandle(
            libc.find("shutdown").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    this.fcntl =
        linker.downcallHandle(
            libc.find("fcntl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2),
            errnoOption);
  }

  static Optional<LinuxSplice> get() {
    return INSTANCE;
  }

  private static Optional<LinuxSplice> load() {
    if (!System.getProperty("os.name", "").equals("Linux")
        || Boolean.getBoolean("umbra.relay.noSplice")) {
      return Optional.empty();
    }
    try {
      Method m = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
      m.setAccessible(true); // throws unless java.base/sun.nio.ch is opened to us
      return Optional.of(new LinuxSplice(m));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return Optional.empty();
    }
  }

  /** A new descriptor for the channel's socket, ours to use and close whatever the channel does. */
  int dupOf(SocketChannel channel) throws IOException {
    int fd;
    try {
      fd = (int) fdVal.invoke(channel);
    } catch (Throwable t) {
      throw new IOException("cannot read the socket's descriptor", t);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment err = arena.allocate(errnoSize);
      int copy = (int) dup.invokeExact(err, fd);
      check(copy, err, "dup");
      return copy;
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException(t);
    }
  }

  /** A non-blocking pipe as {read end, write end}, as large as the kernel allows us up to 1 MiB. */
  int[] pipe() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment fds = arena.allocate(JAVA_INT, 2);
      MemorySegment err = arena.allocate(errnoSize);
      check((int) pipe2.invokeExact(err, fds, O_NONBLOCK | O_CLOEXEC), err, "pipe2");
      int[] pair = {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
      // A bigger pipe moves more per call; failure only means the default 64 KiB.
      int ignored = (int) fcntl.invokeExact(err, pair[1], F_SETPIPE_SZ, 1 << 20);
      return pair;
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException(t);
    }
  }

  /** Bytes moved, 0 at end of stream, or -errno (e.g. {@code -EAGAIN}) on failure. */
  long splice(int from, int to, long max, MemorySegment err) {
    try {
      long n =
          (long)
              splice.invokeExact(
                  err,
                  from,
                  MemorySegment.NULL,
                  to,
                  MemorySegment.NULL,
                  max,
                  SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      return n >= 0 ? n : -(int) errno.get(err, 0L);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** Room for one {@code struct pollfd}, to reuse across {@link #await} calls. */
  static MemorySegment pollfd(Arena arena) {
    return arena.allocate(POLLFD);
  }

  /** Waits up to {@code millis} for {@code events} on {@code fd}; true when it is ready. */
  boolean await(int fd, short events, int millis, MemorySegment pfd, MemorySegment err) {
    pfd.set(JAVA_INT, 0, fd);
    pfd.set(JAVA_SHORT, 4, events);
    try {
      return (int) poll.invokeExact(err, pfd, 1L, millis) > 0;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** Sets O_NONBLOCK on a descriptor, so splice never blocks the thread inside the kernel. */
  void nonBlocking(int fd) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment err = arena.allocate(errnoSize);
      int flags = (int) fcntl.invokeExact(err, fd, 3 /* F_GETFL */, 0);
      check(flags, err, "fcntl");
      check((int) fcntl.invokeExact(err, fd, 4 /* F_SETFL */, flags | O_NONBLOCK), err, "fcntl");
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException(t);
    }
  }

  void shutdownBoth(int fd) {
    try {
      int ignored = (int) shutdown.invokeExact(fd, SHUT_RDWR);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  void close(int fd) {
    try {
      int ignored = (int) close.invokeExact(fd);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  long errnoSize() {
    return errnoSize;
  }

  private void check(int result, MemorySegment err, String call) throws IOException {
    if (result < 0) {
      throw new IOException(call + " failed: errno " + (int) errno.get(err, 0L));
    }
  }
}
