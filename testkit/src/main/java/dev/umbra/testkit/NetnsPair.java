package dev.umbra.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test-only: two network namespaces the test creates, joined by a veth pair, with names unique to
 * this JVM; torn down (processes stopped by PID, namespaces and {@code /etc/netns/<name>} deleted)
 * on close or, if the test dies first, by a shutdown hook. Needs root and {@code ip} (iproute2).
 * Traffic between them never reaches a real network.
 */
public final class NetnsPair implements AutoCloseable {
  /** The namespace names and the veth ends' names (the left end in {@link #left}). */
  public final String left;

  public final String right;
  public final String leftVeth;
  public final String rightVeth;

  /** A short unique suffix for other names the test makes (interfaces: at most 15 characters). */
  public final String tag;

  private final List<Process> processes = new ArrayList<>();
  private final Thread hook;
  private boolean closed;
  private boolean createdEtcNetns;

  /** Creates both namespaces and the veth pair, both ends and loopback up, no addresses. */
  public NetnsPair(String prefix) throws IOException, InterruptedException {
    tag =
        Long.toString(ProcessHandle.current().pid() % 100000, 36)
            + Long.toString(System.nanoTime() % 46656, 36);
    left = prefix + "L" + tag;
    right = prefix + "R" + tag;
    leftVeth = "vl" + tag;
    rightVeth = "vr" + tag;
    hook = new Thread(this::teardown);
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      run("ip", "netns", "add", left);
      run("ip", "netns", "add", right);
      run("ip", "link", "add", leftVeth, "type", "veth", "peer", "name", rightVeth);
      run("ip", "link", "set", leftVeth, "netns", left);
      run("ip", "link", "set", rightVeth, "netns", right);
      for (String ns : List.of(left, right)) {
        run("ip", "-n", ns, "link", "set", "lo", "up");
      }
      run("ip", "-n", left, "link", "set", leftVeth, "up");
      run("ip", "-n", right, "link", "set", rightVeth, "up");
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Runs a command to completion (30 s at most) and returns its output; fails on non-zero exit. */
  public static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", cmd));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  /** {@code ip -n <namespace> args...}. */
  public String ip(String namespace, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", namespace));
    cmd.addAll(List.of(args));
    return run(cmd.toArray(String[]::new));
  }

  /** A command's exit code and output. */
  public record Result(int exit, String output) {}

  /** Runs a command inside a namespace (bounded), returning exit code and output. */
  public Result exec(String namespace, int timeoutSeconds, String... cmd)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(inNamespace(namespace, cmd)).redirectErrorStream(true).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out after " + timeoutSeconds + " s");
    }
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), UTF8));
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  /** Starts a long-running process in a namespace, output to {@code log}; stopped on close. */
  public Process start(String namespace, Path log, String... cmd) throws IOException {
    PeerProcess.requireBinary(cmd[0]);
    Process p =
        new ProcessBuilder(inNamespace(namespace, cmd))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    synchronized (processes) {
      processes.add(p);
    }
    return p;
  }

  /** Stops one process started here, by its PID (TERM, then KILL after 5 s). */
  public void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
    synchronized (processes) {
      processes.remove(p);
    }
  }

  /**
   * Writes {@code /etc/netns/<namespace>/resolv.conf}, which {@code ip netns exec} mounts over
   * {@code /etc/resolv.conf} for what it runs; deleted on close.
   */
  public void resolvConf(String namespace, String content) throws IOException {
    Path dir = Path.of("/etc/netns", namespace);
    if (!Files.exists(dir.getParent())) {
      createdEtcNetns = true;
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("resolv.conf"), content);
  }

  private static List<String> inNamespace(String namespace, String... cmd) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    full.addAll(List.of(cmd));
    return full;
  }

  private synchronized void teardown() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (processes) {
      for (Process p : processes) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
      }
      for (Process p : processes) {
        try {
          if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      processes.clear();
    }
    for (String ns : List.of(left, right)) {
      try {
        if (Files.exists(Path.of("/var/run/netns", ns))) {
          run("ip", "netns", "del", ns);
        }
        Path etc = Path.of("/etc/netns", ns);
        if (Files.exists(etc)) {
          try (Stream<Path> files = Files.walk(etc)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
              Files.delete(f);
            }
          }
        }
      } catch (IOException | InterruptedException e) {
        System.err.println("netns teardown of " + ns + " failed: " + e);
      }
    }
    if (createdEtcNetns) {
      try {
        Files.deleteIfExists(Path.of("/etc/netns"));
      } catch (IOException e) {
        // another test's namespace still has its directory there: leave it
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
