package dev.umbra.tls;

import dev.umbra.core.config.ConfigException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** An inbound's certificate chain and key as a key store, for TLS stacks other than JSSE (QUIC). */
public final class ServerKeys {
  /** The alias of the one entry; its password is empty. */
  public static final String ALIAS = "key";

  private ServerKeys() {}

  /** Reads {@code certificate}/{@code key} (inline or by path); errors name the JSON path. */
  public static KeyStore keyStore(TlsOptions o, String path) {
    String cert = TlsContexts.text(o.certificate(), o.certificatePath(), "certificate", path);
    String key = TlsContexts.text(o.key(), o.keyPath(), "key", path);
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
      List<X509Certificate> chain = Pem.certificates(cert);
      if (chain.isEmpty()) {
        throw new ConfigException(path + ".certificate", "no CERTIFICATE block found");
      }
      PrivateKey pk = Pem.privateKey(key);
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(ALIAS, pk, new char[0], chain.toArray(X509Certificate[]::new));
      return ks;
    } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
      throw new ConfigException(path, "cannot use the certificate and key: " + e.getMessage());
    }
  }
}
