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
import javax.net.ssl.KeyManager;
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
    return path == null ? null : read(path, jsonPath + "." + key + "_path");
  }

  /** A file's text; a failure is a config error at {@code jsonPath}. */
  static String read(String file, String jsonPath) {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(jsonPath, "cannot read " + file + ": " + e.getMessage());
    }
  }

  static SSLContext server(TlsOptions o, String path, ClientAuth auth) {
    String cert = text(o.certificate(), o.certificatePath(), "certificate", path);
    String key = text(o.key(), o.keyPath(), "key", path);
    try {
      KeyManager[] keys;
      if (cert == null && key == null && Boolean.TRUE.equals(o.insecure())) {
        keys = new KeyManager[] {new OnDemandCertificates(o.serverName())};
      } else if (cert == null) {
        throw new ConfigException(
            path + ".certificate",
            "a TLS server needs a certificate (certificate or certificate_path)");
      } else if (key == null) {
        throw new ConfigException(
            path + ".key", "a TLS server needs a private key (key or key_path)");
      } else {
        keys = keyManagers(cert, key, path + ".certificate", path + ".key");
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keys, auth.trust() == null ? null : new TrustManager[] {auth.trust()}, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new ConfigException(path, "cannot use the certificate and key: " + e.getMessage());
    }
  }

  /** A certificate chain and its key, as the JDK's key managers. */
  private static KeyManager[] keyManagers(String cert, String key, String certPath, String keyPath)
      throws GeneralSecurityException, IOException {
    List<X509Certificate> chain = pem(() -> Pem.certificates(cert), certPath);
    if (chain.isEmpty()) {
      throw new ConfigException(certPath, "no CERTIFICATE block found");
    }
    PrivateKey pk = pem(() -> Pem.privateKey(key), keyPath);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("key", pk, new char[0], chain.toArray(X509Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    return kmf.getKeyManagers();
  }

  static SSLContext client(TlsOptions o, String path) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(clientKeys(o, path), new TrustManager[] {trust(o, path)}, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
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

  /** The client certificate and key, when given (they go together, as in sing-box). */
  private static KeyManager[] clientKeys(TlsOptions o, String path)
      throws GeneralSecurityException, IOException {
    List<String> certPaths =
        o.clientCertificatePath() == null ? List.of() : o.clientCertificatePath();
    if (certPaths.size() > 1) {
      throw new ConfigException(
          path + ".client_certificate_path", "a TLS client takes one client certificate file");
    }
    String cert =
        text(
            o.clientCertificate(),
            certPaths.isEmpty() ? null : certPaths.get(0),
            "client_certificate",
            path);
    String key = text(o.clientKey(), o.clientKeyPath(), "client_key", path);
    if (cert == null && key == null) {
      return null;
    }
    if (cert == null || key == null) {
      throw new ConfigException(
          path + (cert == null ? ".client_certificate" : ".client_key"),
          "client_certificate and client_key go together");
    }
    return keyManagers(cert, key, path + ".client_certificate", path + ".client_key");
  }

  /** The JDK's PKIX trust manager over {@code ks} (null: the system trust store). */
  static X509TrustManager defaultTrust(KeyStore ks) throws GeneralSecurityException {
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
      if (!pins.isEmpty() && !matches(pins, chain[0])) {
        throw new CertificateException(
            "server public key does not match certificate_public_key_sha256");
      }
    }

    /** Whether the SHA-256 of the certificate's SubjectPublicKeyInfo is one of {@code pins}. */
    static boolean matches(List<byte[]> pins, X509Certificate certificate)
        throws CertificateException {
      try {
        byte[] spki =
            MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
        boolean found = false;
        for (byte[] pin : pins) {
          found |= MessageDigest.isEqual(pin, spki); // no early exit: constant time
        }
        return found;
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new CertificateException(e);
      }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
