package dev.umbra.app;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the real CLI entry point in-process and captures its streams. */
record CliRunner(int code, byte[] stdout, String stderr) {
  static CliRunner withStdin(String stdin, String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int code =
        Main.execute(
            args,
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CliRunner(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  static CliRunner run(String... args) {
    return withStdin("", args);
  }

  String out() {
    return new String(stdout, StandardCharsets.UTF_8);
  }
}
