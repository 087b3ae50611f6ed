package dev.umbra.proxy.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.registry.Registry;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.TestCerts;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * urltest probes to an https:// URL (sing-box's default kind) against openssl s_server: the
 * certificate is verified against the JVM's trust store, so an unknown one fails the probe.
 */
@Tag("interop")
class HttpsProbeTest {
  @TempDir Path dir;

  @Test
  void httpsProbesVerifyTheServer() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    int port = FreePort.tcp();
    try (PeerProcess server =
        PeerProcess.start(
            "openssl-s_server",
            port,
            Duration.ofSeconds(15),
            "openssl",
            "s_server",
            "-accept",
            "127.0.0.1:" + port,
            "-cert",
            certs.certificate().toString(),
            "-key",
            certs.key().toString(),
            "-www",
            "-quiet")) {
      String url = "https://localhost:" + port + "/";
      // the JVM's default trust store does not know the test certificate
      assertThat(probe(url)).containsEntry("fast", -1L);
      // a trust store that holds it (as an operator would add a private CA)
      Path store = trustStore(certs.certificate());
      String oldStore = System.getProperty("javax.net.ssl.trustStore");
      String oldPass = System.getProperty("javax.net.ssl.trustStorePassword");
      try {
        System.setProperty("javax.net.ssl.trustStore", store.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
        assertThat(probe(url).get("fast")).isNotNegative();
      } finally {
        restore("javax.net.ssl.trustStore", oldStore);
        restore("javax.net.ssl.trustStorePassword", oldPass);
      }
    }
  }

  private static Map<String, Long> probe(String url) throws Exception {
    String json =
        """
        {"log": {"level": "error"},
         "outbounds": [
           {"type": "urltest", "tag": "auto", "outbounds": ["fast"], "url": "%s", "interval": "1h"},
           {"type": "test-delay", "tag": "fast", "delay_ms": 0}]}
        """
            .formatted(url);
    Registry r = Registry.loadAll();
    Umbra umbra = Umbra.start(ConfigLoader.load(Jsonc.parse(json, "t"), r), r, Path.of("."));
    try {
      return ((ProbedGroup) umbra.outbound("auto").orElseThrow()).probeAll();
    } finally {
      umbra.shutdown(Duration.ofSeconds(1));
    }
  }

  private Path trustStore(Path certificate) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      ks.setCertificateEntry(
          "test", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    Path store = dir.resolve("trust.p12");
    try (OutputStream out = Files.newOutputStream(store)) {
      ks.store(out, "changeit".toCharArray());
    }
    return store;
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
