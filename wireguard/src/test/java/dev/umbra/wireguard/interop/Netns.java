package dev.umbra.wireguard.interop;

import dev.umbra.testkit.NetnsPair;
import dev.umbra.testkit.PeerProcess;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test-only: testkit's {@link NetnsPair} with addresses on the veth ends ({@link #UNDER_A} in A,
 * {@link #UNDER_B} in B). Sockets for the test JVM are opened inside a namespace by a short-lived
 * platform thread that enters it with {@code setns(2)}; a socket stays in the namespace it was
 * created in, whichever thread uses it later.
 */
final class Netns implements AutoCloseable {
  static final String UNDER_A = "10.201.1.1";
  static final String UNDER_B = "10.201.1.2";

  final String tag;
  private final NetnsPair pair;

  Netns() throws IOException, InterruptedException {
    pair = new NetnsPair("umb");
    tag = pair.tag;
    try {
      pair.ip(pair.left, "addr", "add", UNDER_A + "/24", "dev", pair.leftVeth);
      pair.ip(pair.right, "addr", "add", UNDER_B + "/24", "dev", pair.rightVeth);
    } catch (IOException | InterruptedException | RuntimeException e) {
      pair.close();
      throw e;
    }
  }

  /** Runs a command in namespace B; returns exit code and output without failing. */
  NetnsPair.Result execB(int timeoutSeconds, String... cmd)
      throws IOException, InterruptedException {
    return pair.exec(pair.right, timeoutSeconds, cmd);
  }

  /** Starts wireguard-go (or another long-running process) in namespace B, stopped on close. */
  Process startB(Path log, String... cmd) throws IOException {
    List<String> full =
        new ArrayList<>(List.of("env", "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1"));
    full.addAll(List.of(cmd));
    PeerProcess.requireBinary(cmd[0]);
    return pair.start(pair.right, log, full.toArray(String[]::new));
  }

  /** Calls {@code body} on a fresh platform thread that has entered namespace A. */
  <T> T inA(Callable<T> body) throws Exception {
    return in(pair.left, body);
  }

  /** Calls {@code body} on a fresh platform thread that has entered namespace B. */
  <T> T inB(Callable<T> body) throws Exception {
    return in(pair.right, body);
  }

  private static <T> T in(String namespace, Callable<T> body) throws Exception {
    AtomicReference<Object> result = new AtomicReference<>();
    Thread t =
        Thread.ofPlatform()
            .start(() -> {
              try {
                enter(namespace);
                result.set(body.call());
              } catch (Throwable e) {
                result.set(e);
              }
            });
    t.join(30_000);
    Object r = result.get();
    if (r instanceof Exception e) {
      throw e;
    }
    if (r instanceof Error e) {
      throw e;
    }
    @SuppressWarnings("unchecked")
    T value = (T) r;
    return value;
  }

  private static void enter(String ns) throws Throwable {
    Linker linker = Linker.nativeLinker();
    MethodHandle open =
        linker.downcallHandle(
            linker.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    MethodHandle setns =
        linker.downcallHandle(
            linker.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    MethodHandle close =
        linker.downcallHandle(
            linker.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment path = arena.allocateFrom("/var/run/netns/" + ns);
      int fd = (int) open.invokeExact(path, 0);
      if (fd < 0) {
        throw new IOException("cannot open namespace " + ns);
      }
      int rc = (int) setns.invokeExact(fd, 0x40000000); // CLONE_NEWNET
      int ignored = (int) close.invokeExact(fd);
      if (rc != 0) {
        throw new IOException("setns into " + ns + " failed");
      }
    }
  }

  @Override
  public void close() {
    pair.close();
  }
}
