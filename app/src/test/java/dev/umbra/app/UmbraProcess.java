package dev.umbra.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code umbra} as a separate process: the real entry point ({@link Main}) on the test class path,
 * so signals reach it as they would reach the launched program. Output goes to a log file.
 */
final class UmbraProcess implements AutoCloseable {
  static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Process process;
  private final Path log;

  private UmbraProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static UmbraProcess start(Path workDir, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    Path log = workDir.resolve("umbra-" + System.nanoTime() + ".log");
    Process p =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    return new UmbraProcess(p, log);
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Sends a signal by name (TERM, HUP, INT) with kill(1). */
  void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + name + " " + pid() + " failed");
    }
  }

  /** Waits for the process to exit and returns its status. */
  int waitForExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("umbra did not exit within " + timeout + "; log:\n" + log());
    }
    return process.exitValue();
  }

  void awaitListening(int port) throws InterruptedException {
    await("port " + port + " listening", START_TIMEOUT, () -> canConnect(port));
  }

  void awaitLog(String text, Duration timeout) throws InterruptedException {
    await("log line containing '" + text + "'", timeout, () -> log().contains(text));
  }

  void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "umbra exited (" + process.exitValue() + ") waiting for " + what + "; log:\n" + log());
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what + "; log:\n" + log());
      }
      Thread.sleep(50);
    }
  }

  static boolean canConnect(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String mixedConfig(int port) {
    return """
    {
      "log": {"level": "info"},
      "inbounds": [{"type": "mixed", "tag": "mixed-in", "listen": "127.0.0.1", "listen_port": %d}],
      "outbounds": [{"type": "direct", "tag": "direct"}],
      "route": {"final": "direct"}
    }
    """
        .formatted(port);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
