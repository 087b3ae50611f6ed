package dev.umbra.tls;

import dev.umbra.core.config.ConfigException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509TrustManager;

/**
 * How a TLS server treats client certificates, resolved from sing-box's fields as sing-box resolves
 * them: client CAs alone imply {@code require-and-verify}; a verifying mode with only public-key
 * pins verifies the pins instead of a chain.
 */
record ClientAuth(ClientAuthentication mode, X509TrustManager trust) {
  static final ClientAuth NONE = new ClientAuth(ClientAuthentication.NO, null);

  static ClientAuth of(TlsOptions o, String path) {
    ClientAuthentication mode =
        o.clientAuthentication() == null ? ClientAuthentication.NO : o.clientAuthentication();
    List<String> caPaths =
        o.clientCertificatePath() == null ? List.of() : o.clientCertificatePath();
    boolean cas = o.clientCertificate() != null || !caPaths.isEmpty();
    List<String> pins =
        o.clientCertificatePublicKeySha256() == null
            ? List.of()
            : o.clientCertificatePublicKeySha256();
    if (cas && mode == ClientAuthentication.NO) {
      mode = ClientAuthentication.REQUIRE_AND_VERIFY;
    }
    if (mode == ClientAuthentication.NO) {
      return NONE;
    }
    if (!mode.verifies()) {
      return new ClientAuth(mode, new Pinned(List.of()));
    }
    if (cas) {
      List<X509Certificate> roots = new ArrayList<>();
      if (o.clientCertificate() != null) {
        roots.addAll(
            certificates(Pem.joinLines(o.clientCertificate()), path + ".client_certificate"));
      }
      for (int i = 0; i < caPaths.size(); i++) {
        String at = path + ".client_certificate_path[" + i + "]";
        roots.addAll(certificates(TlsContexts.read(caPaths.get(i), at), at));
      }
      return new ClientAuth(mode, chainTrust(roots, path));
    }
    if (!pins.isEmpty()) {
      return new ClientAuth(
          mode == ClientAuthentication.REQUIRE_AND_VERIFY
              ? ClientAuthentication.REQUIRE_ANY
              : ClientAuthentication.REQUEST,
          new Pinned(pins));
    }
    throw new ConfigException(
        path + ".client_authentication",
        "'"
            + mode.jsonName()
            + "' needs client_certificate, client_certificate_path or"
            + " client_certificate_public_key_sha256");
  }

  void apply(SSLParameters p) {
    if (mode.requires()) {
      p.setNeedClientAuth(true);
    } else if (mode != ClientAuthentication.NO) {
      p.setWantClientAuth(true);
    }
  }

  private static List<X509Certificate> certificates(String pem, String at) {
    try {
      List<X509Certificate> certs = Pem.certificates(pem);
      if (certs.isEmpty()) {
        throw new ConfigException(at, "no CERTIFICATE block found");
      }
      return certs;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new ConfigException(at, e.getMessage());
    }
  }

  private static X509TrustManager chainTrust(List<X509Certificate> roots, String path) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < roots.size(); i++) {
        ks.setCertificateEntry("client-ca" + i, roots.get(i));
      }
      return TlsContexts.defaultTrust(ks);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new ConfigException(path, "cannot use the client certificate authorities: " + e);
    }
  }

  /**
   * Accepts any client certificate (no pins: {@code request}, {@code require-any}) or only one
   * whose SubjectPublicKeyInfo hashes to a pin.
   */
  private static final class Pinned implements X509TrustManager {
    private final List<byte[]> pins;

    Pinned(List<String> pins) {
      this.pins = pins.stream().map(p -> Base64.getDecoder().decode(p)).toList();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      if (pins.isEmpty()) {
        return;
      }
      if (chain == null || chain.length == 0) {
        throw new CertificateException("no client certificate");
      }
      if (!TlsContexts.Pinning.matches(pins, chain[0])) {
        throw new CertificateException(
            "client public key does not match client_certificate_public_key_sha256");
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("server certificates are not checked here");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
