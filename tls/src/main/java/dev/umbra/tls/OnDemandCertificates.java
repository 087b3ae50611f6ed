package dev.umbra.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The certificates of an {@code insecure} TLS server that has none configured: like sing-box, it
 * answers each handshake with a self-signed certificate for the name the client asked for (SNI).
 * One RSA key signs them all, so a client sending many names costs a signature each, not a key
 * generation; certificates live an hour and at most {@link #MAX_NAMES} are kept.
 */
final class OnDemandCertificates extends X509ExtendedKeyManager {
  static final int MAX_NAMES = 64;
  private static final Duration VALIDITY = Duration.ofHours(1);
  private static final Duration RENEW_AFTER = Duration.ofMinutes(30);

  private final String defaultName;
  private final KeyPair key;
  private final Map<String, Issued> issued =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Issued> eldest) {
          return size() > MAX_NAMES;
        }
      };

  private record Issued(X509Certificate certificate, Instant at) {}

  OnDemandCertificates(String defaultName) throws GeneralSecurityException {
    this.defaultName = defaultName == null || defaultName.isEmpty() ? "localhost" : defaultName;
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    this.key = g.generateKeyPair();
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    if (!keyType.equals("RSA") && !keyType.equals("RSASSA-PSS")) {
      return null;
    }
    SSLSession session = engine == null ? null : engine.getHandshakeSession();
    if (session instanceof ExtendedSSLSession e) {
      for (SNIServerName n : e.getRequestedServerNames()) {
        if (n instanceof SNIHostName h) {
          return h.getAsciiName();
        }
      }
    }
    return defaultName;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return chooseEngineServerAlias(keyType, issuers, null);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return new X509Certificate[] {certificateFor(alias)};
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return key.getPrivate();
  }

  private synchronized X509Certificate certificateFor(String name) {
    Instant now = Instant.now();
    Issued i = issued.get(name);
    if (i == null || i.at().plus(RENEW_AFTER).isBefore(now)) {
      try {
        i =
            new Issued(
                SelfSignedCertificate.generate(name, key, now, now.plus(VALIDITY)).certificate(),
                now);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot sign a certificate for " + name, e);
      }
      issued.put(name, i);
    }
    return i.certificate();
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
