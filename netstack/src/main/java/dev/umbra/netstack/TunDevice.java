package dev.umbra.netstack;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * A Linux TUN device (IFF_TUN | IFF_NO_PI: bare IP packets) through FFM {@code open} + {@code
 * ioctl(TUNSETIFF)}. {@link #read} blocks in native code, so call it from a platform thread; it
 * waits at most {@code pollMillis} so a reader loop can notice {@link #close}.
 */
public final class TunDevice implements Closeable {
  private static final String TUN_PATH = "/dev/net/tun";
  private static final int O_RDWR = 2;
  private static final int O_CLOEXEC = 0x80000;
  private static final long TUNSETIFF = 0x400454caL;
  private static final short IFF_TUN = 0x0001;
  private static final short IFF_NO_PI = 0x1000;
  private static final short POLLIN = 0x1;

  private static final MethodHandle OPEN;
  private static final MethodHandle IOCTL;
  private static final MethodHandle READ;
  private static final MethodHandle WRITE;
  private static final MethodHandle POLL;
  private static final MethodHandle CLOSE;

  static {
    Linker l = Linker.nativeLinker();
    var lookup = l.defaultLookup();
    OPEN =
        l.downcallHandle(
            lookup.find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    IOCTL =
        l.downcallHandle(
            lookup.find("ioctl").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG,
                ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2));
    READ =
        l.downcallHandle(
            lookup.find("read").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG));
    WRITE =
        l.downcallHandle(
            lookup.find("write").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG));
    POLL =
        l.downcallHandle(
            lookup.find("poll").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT));
    CLOSE =
        l.downcallHandle(
            lookup.find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
  }

  private final int fd;
  private final String name;
  private final int pollMillis;
  private final Arena arena = Arena.ofAuto(); // freed by the GC, never under a reader
  private final MemorySegment readBuf;
  private final MemorySegment writeBuf;
  private final MemorySegment pollFd;
  private volatile boolean closed;

  private TunDevice(int fd, String name, int pollMillis) {
    this.fd = fd;
    this.name = name;
    this.pollMillis = pollMillis;
    this.readBuf = arena.allocate(65536);
    this.writeBuf = arena.allocate(65536);
    this.pollFd = arena.allocate(8);
  }

  /** Creates (or attaches to) the TUN interface {@code name}; needs CAP_NET_ADMIN. */
  public static TunDevice open(String name, int pollMillis) throws IOException {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    if (n.length == 0 || n.length > 15) {
      throw new IOException("bad interface name '" + name + "'");
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment path = a.allocateFrom(TUN_PATH);
      int fd = (int) OPEN.invokeExact(path, O_RDWR | O_CLOEXEC);
      if (fd < 0) {
        throw new IOException("cannot open /dev/net/tun");
      }
      MemorySegment ifr = a.allocate(40); // struct ifreq: name[16], then short flags
      MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
      ifr.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TUN | IFF_NO_PI));
      int rc = (int) IOCTL.invokeExact(fd, TUNSETIFF, ifr);
      if (rc < 0) {
        int ignored = (int) CLOSE.invokeExact(fd);
        throw new IOException("ioctl(TUNSETIFF) failed for " + name + " (" + ignored + ")");
      }
      return new TunDevice(fd, name, pollMillis);
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed", t);
    }
  }

  public String name() {
    return name;
  }

  /** Reads one packet into {@code b}; returns its length, 0 if none came within the poll time. */
  public int read(byte[] b) throws IOException {
    if (closed) {
      throw new IOException(name + " is closed");
    }
    try {
      pollFd.set(ValueLayout.JAVA_INT, 0, fd);
      pollFd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
      pollFd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
      int ready = (int) POLL.invokeExact(pollFd, 1L, pollMillis);
      if (ready <= 0 || closed) {
        return 0;
      }
      long n = (long) READ.invokeExact(fd, readBuf, (long) Math.min(b.length, 65536));
      if (n < 0) {
        throw new IOException("read from " + name + " failed");
      }
      MemorySegment.copy(readBuf, ValueLayout.JAVA_BYTE, 0, b, 0, (int) n);
      return (int) n;
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed", t);
    }
  }

  /** Writes one packet. Thread-safe (one writer at a time). */
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException(name + " is closed");
    }
    try {
      MemorySegment.copy(b, off, writeBuf, ValueLayout.JAVA_BYTE, 0, len);
      long n = (long) WRITE.invokeExact(fd, writeBuf, (long) len);
      if (n != len) {
        throw new IOException("write to " + name + " failed");
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed", t);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      int unused = (int) CLOSE.invokeExact(fd);
    } catch (Throwable t) {
      throw new IllegalStateException("close(" + name + ") failed", t);
    }
  }
}
