package dev.umbra.tls;

import dev.umbra.core.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Builds JDK SSLContexts from {@link TlsOptions}, with errors naming the JSON path. */
final class TlsContexts {
  private TlsContexts() {}

  static String text(List<String> inline, String path, String key, String jsonPath) {
    if (inline != null) {
      return Pem.joinLines(inline);
    }
    if (path == null) {
      return null;
    }
    try {
      return Files.readString(Path.of(path), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          jsonPath + "." + key + "_path", "cannot read " + path + ": " + e.getMessage());
    }
  }

  static SSLContext server(TlsOptions o, String path) {
    String cert = text(o.certificate(), o.certificatePath(), "certificate", path);
    String key = text(o.key(), o.keyPath(), "key", path);
    if (cert == null) {
      throw new ConfigException(
          path + ".certificate",
          "a TLS server needs a certificate (certificate or certificate_path)");
    }
    if (key == null) {
      throw new ConfigException(
          path + ".key", "a TLS server needs a private key (key or key_path)");
    }
    try {
      List<X509Certificate> chain = pem(() -> Pem.certificates(cert), path + ".certificate");
      PrivateKey pk = pem(() -> Pem.privateKey(key), path + ".key");
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", pk, new char[0], chain.toArray(X509Certificate[]::new));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigException(path, "cannot use the certificate and key: " + e.getMessage());
    }
  }

  static SSLContext client(TlsOptions o, String path) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {trust(o, path)}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new ConfigException(path, "cannot set up TLS: " + e.getMessage());
    }
  }

  /** The client's certificate check: insecure, the configured CA, or the system's; pins applied. */
  static X509TrustManager trust(TlsOptions o, String path) {
    try {
      String ca = text(o.certificate(), o.certificatePath(), "certificate", path);
      List<String> pins =
          o.certificatePublicKeySha256() == null ? List.of() : o.certificatePublicKeySha256();
      if (Boolean.TRUE.equals(o.insecure())) {
        return new Pinning(null, List.of());
      } else if (ca != null) {
        List<X509Certificate> cas = pem(() -> Pem.certificates(ca), path + ".certificate");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
          ks.setCertificateEntry("ca" + i, cas.get(i));
        }
        return new Pinning(defaultTrust(ks), pins);
      } else {
        return new Pinning(defaultTrust(null), pins);
      }
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigException(path, "cannot set up TLS: " + e.getMessage());
    }
  }

  private static X509TrustManager defaultTrust(KeyStore ks) throws GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("no X509 trust manager");
  }

  /** Unknown cipher suite names are config errors, not handshake-time surprises. */
  static void checkCipherSuites(TlsOptions o, SSLContext ctx, String path) {
    if (o.cipherSuites() == null) {
      return;
    }
    List<String> supported = List.of(ctx.getSupportedSSLParameters().getCipherSuites());
    for (int i = 0; i < o.cipherSuites().size(); i++) {
      if (!supported.contains(o.cipherSuites().get(i))) {
        throw new ConfigException(
            path + ".cipher_suites[" + i + "]",
            "unknown or unsupported cipher suite '" + o.cipherSuites().get(i) + "'");
      }
    }
  }

  /** PEM parsing whose errors become config errors at {@code jsonPath}. */
  private interface PemRead<T> {
    T read() throws GeneralSecurityException;
  }

  private static <T> T pem(PemRead<T> read, String jsonPath) {
    try {
      return read.read();
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new ConfigException(jsonPath, e.getMessage());
    }
  }

  /**
   * Chain validation by the delegate (none when insecure), plus {@code
   * certificate_public_key_sha256} pinning of the leaf's SubjectPublicKeyInfo.
   */
  static final class Pinning implements X509TrustManager {
    private final X509TrustManager delegate;
    private final List<byte[]> pins;

    Pinning(X509TrustManager delegate, List<String> pins) {
      this.delegate = delegate;
      this.pins = pins.stream().map(p -> Base64.getDecoder().decode(p)).toList();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("client certificates are not accepted here");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      if (delegate != null && pins.isEmpty()) {
        delegate.checkServerTrusted(chain, authType);
      }
      if (!pins.isEmpty()) {
        try {
          byte[] spki =
              MessageDigest.getInstance("SHA-256").digest(chain[0].getPublicKey().getEncoded());
          for (byte[] pin : pins) {
            if (MessageDigest.isEqual(pin, spki)) {
              return;
            }
          }
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new CertificateException(e);
        }
        throw new CertificateException(
            "server public key does not match certificate_public_key_sha256");
      }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
