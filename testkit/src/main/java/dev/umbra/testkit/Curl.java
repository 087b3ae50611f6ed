package dev.umbra.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real curl binary with a time limit. */
public final class Curl {
  private Curl() {}

  /** Exit code and standard output of one curl run. */
  @SuppressWarnings("ArrayRecordComponent") // a test helper's raw output
  public record Result(int exitCode, byte[] body, String stderr) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  public static Result run(String... args) throws IOException, InterruptedException {
    PeerProcess.requireBinary("curl");
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--noproxy", ""));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    byte[][] err = new byte[1][];
    Thread errReader =
        Thread.ofVirtual()
            .start(() -> {
              try {
                err[0] = p.getErrorStream().readAllBytes();
              } catch (IOException e) {
                err[0] = e.toString().getBytes(StandardCharsets.UTF_8);
              }
            });
    byte[] out = p.getInputStream().readAllBytes();
    errReader.join();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("curl did not finish in time");
    }
    return new Result(p.exitValue(), out, new String(err[0], StandardCharsets.UTF_8));
  }
}
