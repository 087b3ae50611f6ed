package dev.umbra.testkit;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real peer program started for a test on 127.0.0.1; stopped (with its children, by PID) on
 * close. A missing binary is a failure, not a skip: CI installs every peer.
 */
public final class PeerProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private PeerProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code command} and waits until it accepts TCP connections on 127.0.0.1:port. */
  public static PeerProcess start(String name, int port, Duration timeout, String... command)
      throws IOException {
    requireBinary(command[0]);
    Path log = Files.createTempFile("umbra-peer-" + name, ".log");
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    PeerProcess peer = new PeerProcess(name, p, log);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        String out = Files.readString(log);
        throw new IOException(name + " exited with " + p.exitValue() + ": " + out);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 200);
        return peer;
      } catch (IOException notYet) {
        sleep(50);
      }
    }
    peer.close();
    throw new IOException(name + " did not listen on 127.0.0.1:" + port + " within " + timeout);
  }

  /** Fails with a clear message when a peer binary is not installed. */
  public static void requireBinary(String binary) throws IOException {
    if (binary.contains("/")) {
      if (!new File(binary).canExecute()) {
        throw new IOException("peer binary " + binary + " is not installed (see .ci/run)");
      }
      return;
    }
    List<String> dirs =
        new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":", -1)));
    dirs.add("/usr/sbin");
    dirs.add("/sbin");
    for (String d : dirs) {
      if (!d.isEmpty() && new File(d, binary).canExecute()) {
        return;
      }
    }
    throw new IOException("peer binary '" + binary + "' is not installed (see .ci/run)");
  }

  /** The absolute path of a binary, searching PATH and the sbin directories. */
  public static String which(String binary) throws IOException {
    requireBinary(binary);
    for (String d :
        (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":", -1)) {
      File f = new File(d, binary);
      if (!d.isEmpty() && f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    throw new IOException(binary + " not found");
  }

  public String output() throws IOException {
    return Files.readString(log);
  }

  public long pid() {
    return process.pid();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + "(pid " + process.pid() + ")";
  }
}
