package dev.umbra.proxy.vmess;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Validated;
import dev.umbra.proxy.mux.MultiplexOutboundOptions;
import dev.umbra.proxy.vless.Uuids;
import dev.umbra.tls.TlsOptions;
import dev.umbra.transport.TransportOptions;

/** The sing-box {@code vmess} outbound. */
public record VmessOutboundOptions(
    @Flatten DialOptions dial,
    String server,
    Integer serverPort,
    String uuid,
    String security,
    Integer alterId,
    Boolean globalPadding,
    Boolean authenticatedLength,
    String network,
    String packetEncoding,
    TlsOptions tls,
    MultiplexOutboundOptions multiplex,
    TransportOptions transport)
    implements Validated {

  @Override
  public void validate(String p) {
    if (server == null || server.isEmpty()) {
      throw new ConfigException(JsonPaths.field(p, "server"), "missing server address");
    }
    if (serverPort == null || serverPort < 1 || serverPort > 65535) {
      throw new ConfigException(
          JsonPaths.field(p, "server_port"), "expected a port 1-65535, got " + serverPort);
    }
    Uuids.parse(uuid, JsonPaths.field(p, "uuid"));
    Security.fromConfig(security, JsonPaths.field(p, "security"));
    if (alterId != null && alterId != 0) {
      throw new ConfigException(
          JsonPaths.field(p, "alter_id"),
          "alter_id > 0 (the legacy MD5 header) is not supported; use 0 (AEAD)");
    }
    if (network != null && !network.isEmpty() && !network.equals("tcp") && !network.equals("udp")) {
      throw new ConfigException(
          JsonPaths.field(p, "network"), "expected 'tcp' or 'udp', got '" + network + "'");
    }
    if (packetEncoding != null
        && !packetEncoding.isEmpty()
        && !packetEncoding.equals("xudp")
        && !packetEncoding.equals("packetaddr")) {
      throw new ConfigException(
          JsonPaths.field(p, "packet_encoding"),
          "expected \"\", \"xudp\" or \"packetaddr\", got '" + packetEncoding + "'");
    }
  }

  public Security securityValue() {
    return Security.fromConfig(security, "security");
  }
}
