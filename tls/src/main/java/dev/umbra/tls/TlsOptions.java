package dev.umbra.tls;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Unsupported;
import dev.umbra.core.config.Validated;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The sing-box {@code tls} object (inbound and outbound forms share it). Fields that need Umbra's
 * own TLS engine (uTLS fingerprints, REALITY, ECH) or other modules are rejected by name.
 */
public record TlsOptions(
    Boolean enabled,
    String serverName,
    Boolean insecure,
    List<String> alpn,
    String minVersion,
    String maxVersion,
    List<String> cipherSuites,
    List<String> certificate,
    String certificatePath,
    List<String> key,
    String keyPath,
    List<String> certificatePublicKeySha256,
    Boolean disableSni,
    List<String> curvePreferences,
    ClientAuthentication clientAuthentication,
    List<String> clientCertificate,
    List<String> clientCertificatePath,
    List<String> clientCertificatePublicKeySha256,
    List<String> clientKey,
    String clientKeyPath,
    @Unsupported("needs Umbra's own TLS engine") JsonNode utls,
    @Unsupported("needs Umbra's own TLS engine") JsonNode reality,
    @Unsupported("needs Umbra's own TLS engine") JsonNode ech,
    @Unsupported JsonNode acme,
    @Unsupported Boolean fragment,
    @Unsupported String fragmentFallbackDelay,
    @Unsupported Boolean recordFragment,
    @Unsupported Boolean kernelTx,
    @Unsupported Boolean kernelRx,
    @Unsupported JsonNode certificateProvider)
    implements Validated {

  @Override
  public void validate(String path) {
    for (String[] v : new String[][] {{"min_version", minVersion}, {"max_version", maxVersion}}) {
      if (v[1] != null && TlsVersions.protocol(v[1]) == null) {
        throw new ConfigException(
            JsonPaths.field(path, v[0]), "expected 1.0, 1.1, 1.2 or 1.3, got '" + v[1] + "'");
      }
    }
    if (certificate != null && certificatePath != null) {
      throw new ConfigException(
          JsonPaths.field(path, "certificate_path"),
          "give certificate or certificate_path, not both");
    }
    if (key != null && keyPath != null) {
      throw new ConfigException(
          JsonPaths.field(path, "key_path"), "give key or key_path, not both");
    }
    if (clientCertificate != null && clientCertificatePath != null) {
      throw new ConfigException(
          JsonPaths.field(path, "client_certificate_path"),
          "give client_certificate or client_certificate_path, not both");
    }
    checkPins(certificatePublicKeySha256, JsonPaths.field(path, "certificate_public_key_sha256"));
    checkPins(
        clientCertificatePublicKeySha256,
        JsonPaths.field(path, "client_certificate_public_key_sha256"));
    if (clientKey != null && clientKeyPath != null) {
      throw new ConfigException(
          JsonPaths.field(path, "client_key_path"), "give client_key or client_key_path, not both");
    }
  }

  private static void checkPins(List<String> pins, String path) {
    if (pins == null) {
      return;
    }
    for (int i = 0; i < pins.size(); i++) {
      byte[] pin;
      try {
        pin = java.util.Base64.getDecoder().decode(pins.get(i));
      } catch (IllegalArgumentException e) {
        pin = null;
      }
      if (pin == null || pin.length != 32) {
        throw new ConfigException(
            path + "[" + i + "]", "expected the base64 of a SHA-256 digest (32 bytes)");
      }
    }
  }

  /**
   * Client options for an HTTP/1.1 client verifying {@code serverName}: against {@code trusted}
   * (PEM lines, sing-box's {@code certificate}) when given, else against the system trust store.
   */
  public static TlsOptions httpClient(String serverName, List<String> trusted) {
    return new TlsOptions(
        true,
        serverName,
        null,
        List.of("http/1.1"),
        null,
        null,
        null,
        trusted,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  public boolean isEnabled() {
    return Boolean.TRUE.equals(enabled);
  }
}
