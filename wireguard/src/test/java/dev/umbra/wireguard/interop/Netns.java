package dev.umbra.wireguard.interop;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test-only: two network namespaces joined by a veth pair, created with {@code ip} and always torn
 * down (close or a shutdown hook). Sockets for the test JVM are opened inside namespace A by a
 * short-lived platform thread that enters it with {@code setns(2)}; a socket stays in the namespace
 * it was created in, whichever thread uses it later.
 */
final class Netns implements AutoCloseable {
  static final String UNDER_A = "10.201.1.1";
  static final String UNDER_B = "10.201.1.2";

  final String a;
  final String b;
  final String tag;
  private final List<Process> processes = new ArrayList<>();
  private final Thread hook;

  Netns() throws IOException, InterruptedException {
    tag =
        Long.toString(ProcessHandle.current().pid() % 100000, 36)
            + Long.toString(System.nanoTime() % 46656, 36);
    a = "umbA" + tag;
    b = "umbB" + tag;
    hook = new Thread(this::teardown);
    Runtime.getRuntime().addShutdownHook(hook);
    run("ip", "netns", "add", a);
    run("ip", "netns", "add", b);
    String va = "uva" + tag;
    String vb = "uvb" + tag;
    run("ip", "link", "add", va, "type", "veth", "peer", "name", vb);
    run("ip", "link", "set", va, "netns", a);
    run("ip", "link", "set", vb, "netns", b);
    run("ip", "-n", a, "addr", "add", UNDER_A + "/24", "dev", va);
    run("ip", "-n", b, "addr", "add", UNDER_B + "/24", "dev", vb);
    for (String ns : List.of(a, b)) {
      run("ip", "-n", ns, "link", "set", "lo", "up");
    }
    run("ip", "-n", a, "link", "set", va, "up");
    run("ip", "-n", b, "link", "set", vb, "up");
  }

  /** Runs a command to completion (30 s at most) and returns its output; fails on non-zero exit. */
  static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", cmd));
    }
    String out = new String(p.getInputStream().readAllBytes());
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  /** Runs a command in namespace B; returns exit code and output without failing. */
  Result execB(int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", b));
    full.addAll(List.of(cmd));
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out");
    }
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes()));
  }

  record Result(int exit, String output) {}

  /** Starts a long-running process in namespace B, stopped (by its PID) on close. */
  Process startB(Path log, String... cmd) throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", b));
    full.addAll(List.of(cmd));
    ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
    pb.environment().put("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    synchronized (processes) {
      processes.add(p);
    }
    return p;
  }

  /** Calls {@code body} on a fresh platform thread that has entered namespace A. */
  <T> T inA(Callable<T> body) throws Exception {
    return in(a, body);
  }

  /** Calls {@code body} on a fresh platform thread that has entered namespace B. */
  <T> T inB(Callable<T> body) throws Exception {
    return in(b, body);
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

  private synchronized void teardown() {
    synchronized (processes) {
      for (Process p : processes) {
        p.destroy();
      }
      for (Process p : processes) {
        try {
          if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      processes.clear();
    }
    for (String ns : List.of(a, b)) {
      try {
        if (Files.exists(Path.of("/var/run/netns", ns))) {
          run("ip", "netns", "del", ns);
        }
      } catch (IOException | InterruptedException e) {
        System.err.println("netns teardown of " + ns + " failed: " + e);
      }
    }
  }

  @Override
  public void close() {
    teardown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway
    }
  }
}
