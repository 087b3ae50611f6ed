package dev.umbra.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A self-signed certificate for localhost / 127.0.0.1, made by the openssl binary. */
public record TestCerts(Path certificate, Path key, Path rsaKeyPkcs1) {

  public static TestCerts create(Path dir) throws IOException, InterruptedException {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Path pkcs1 = dir.resolve("key-pkcs1.pem");
    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout",
        key.toString(),
        "-out",
        cert.toString());
    run("openssl", "rsa", "-traditional", "-in", key.toString(), "-out", pkcs1.toString());
    return new TestCerts(cert, key, pkcs1);
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    PeerProcess.requireBinary(cmd[0]);
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(
          String.join(" ", cmd)
              + " failed: "
              + new String(out, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** The certificate as a JSON string array of PEM lines, as sing-box configs inline it. */
  public String certificateJson() throws IOException {
    return pemJson(certificate);
  }

  public String keyJson() throws IOException {
    return pemJson(key);
  }

  private static String pemJson(Path p) throws IOException {
    StringBuilder b = new StringBuilder("[");
    for (String line : Files.readAllLines(p)) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append('"').append(line).append('"');
    }
    return b.append(']').toString();
  }
}
