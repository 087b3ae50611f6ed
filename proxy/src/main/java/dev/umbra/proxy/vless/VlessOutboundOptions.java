package dev.umbra.proxy.vless;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Validated;
import dev.umbra.proxy.mux.MultiplexOutboundOptions;
import dev.umbra.tls.TlsOptions;
import dev.umbra.transport.TransportOptions;

/** The sing-box {@code vless} outbound. */
public record VlessOutboundOptions(
    @Flatten DialOptions dial,
    String server,
    Integer serverPort,
    String uuid,
    String flow,
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
    Flow.check(flow, JsonPaths.field(p, "flow"));
    if (Flow.isVision(flow)) {
      Flow.checkCarrier(
          JsonPaths.field(p, "flow"), tls, transport, multiplex != null && multiplex.on());
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
    if (Flow.isVision(flow) && packetEncoding != null && !packetEncoding.equals("xudp")) {
      // Xray and sing-box servers refuse the UDP command with Vision: its UDP is xudp only
      throw new ConfigException(
          JsonPaths.field(p, "packet_encoding"),
          "flow '"
              + Flow.VISION
              + "' carries UDP as xudp only, got packet_encoding '"
              + packetEncoding
              + "'");
    }
  }
}
