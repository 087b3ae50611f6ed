package dev.umbra.proxy.vless;

import dev.umbra.testkit.TestCerts;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Random;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The inner TLS 1.3 that Vision carries, with the JDK's own SSLSocket at both ends (not Umbra's
 * TLS): a server that takes an upload, answers its SHA-256, then sends a download; and its client,
 * connecting through a SOCKS5 proxy.
 */
final class InnerTls implements AutoCloseable {
  private final SSLServerSocket server;

  InnerTls(TestCerts certs) throws Exception {
    SSLContext ctx = context(certs);
    server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
    server.setEnabledProtocols(new String[] {"TLSv1.3"});
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread.ofVirtual().name("inner-tls").start(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  static SSLContext context(TestCerts certs) throws Exception {
    Certificate cert;
    try (var in = Files.newInputStream(certs.certificate())) {
      cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    String pem = Files.readString(certs.key());
    byte[] der =
        Base64.getMimeDecoder()
            .decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
    var key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("k", key, new char[0], new Certificate[] {cert});
    ks.setCertificateEntry("ca", cert);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /** The download of {@code n} bytes the server sends (seeded). */
  static byte[] download(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        SSLSocket s = (SSLSocket) server.accept();
        Thread.ofVirtual().start(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  /**
   * "HI"; then the request {@code up(u32) down(u32)}, answered "OK"; then the upload, answered with
   * its SHA-256 and the download.
   */
  private static void serve(SSLSocket s) {
    try (s) {
      s.setSoTimeout(60_000);
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      // speak first, after the handshake: the client's Finished has then left its proxy before
      // its request, which its proxy thus reads alone (a whole record: Vision's switch point)
      out.writeBytes("HI");
      out.flush();
      int up = in.readInt();
      int down = in.readInt();
      out.writeBytes("OK");
      out.flush();
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[32 * 1024];
      for (int left = up; left > 0; ) {
        int n = in.read(buf, 0, Math.min(buf.length, left));
        if (n < 0) {
          return;
        }
        sha.update(buf, 0, n);
        left -= n;
      }
      out.write(sha.digest());
      out.write(download(down));
      out.flush();
      s.shutdownOutput();
      in.read(); // the client's end
    } catch (Exception e) {
      // the test sees the failure from the client side
    }
  }

  /** Runs one exchange through the SOCKS5 proxy; returns {sha of the upload as seen, download}. */
  static byte[][] exchange(TestCerts certs, int socks, int port, byte[] upload) throws Exception {
    Socket raw =
        new Socket(
            new Proxy(
                Proxy.Type.SOCKS, new InetSocketAddress(InetAddress.getLoopbackAddress(), socks)));
    raw.setSoTimeout(60_000);
    raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
    try (SSLSocket s =
        (SSLSocket) context(certs).getSocketFactory().createSocket(raw, "localhost", port, true)) {
      s.setEnabledProtocols(new String[] {"TLSv1.3"});
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      DataInputStream in = new DataInputStream(s.getInputStream());
      expect(in, "HI");
      out.writeInt(upload.length);
      out.writeInt(upload.length);
      out.flush();
      expect(in, "OK");
      for (int i = 0; i < upload.length; i += 64 * 1024) {
        out.write(upload, i, Math.min(64 * 1024, upload.length - i));
      }
      out.flush();
      byte[] sha = in.readNBytes(32);
      byte[] down = in.readNBytes(upload.length);
      s.shutdownOutput();
      if (in.read() != -1) {
        throw new IOException("more than the download from the inner server");
      }
      return new byte[][] {sha, down};
    }
  }

  private static void expect(DataInputStream in, String word) throws IOException {
    byte[] got = in.readNBytes(word.length());
    if (!new String(got, java.nio.charset.StandardCharsets.US_ASCII).equals(word)) {
      throw new IOException("no " + word + " from the inner server");
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
