package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Flatten;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.config.Validated;
import dev.umbra.proxy.mux.MultiplexOutboundOptions;
import tools.jackson.databind.JsonNode;

/** The sing-box {@code shadowsocks} outbound. */
public record ShadowsocksOutboundOptions(
    @Flatten DialOptions dial,
    String server,
    Integer serverPort,
    String method,
    String password,
    String plugin,
    String pluginOpts,
    String network,
    JsonNode udpOverTcp,
    MultiplexOutboundOptions multiplex)
    implements Validated {

  @Override
  public void validate(String path) {
    if (server == null || server.isEmpty()) {
      throw new ConfigException(JsonPaths.field(path, "server"), "missing server address");
    }
    if (serverPort == null || serverPort < 1 || serverPort > 65535) {
      throw new ConfigException(
          JsonPaths.field(path, "server_port"), "expected a port 1-65535, got " + serverPort);
    }
    Method m = Options.method(path, method);
    if (m instanceof Method.Aead2022 a) {
      Options.psks2022(a, password, JsonPaths.field(path, "password"));
    } else {
      Options.key(m, password, JsonPaths.field(path, "password"));
    }
    Options.networks(path, network);
    Options.udpOverTcp(path, udpOverTcp);
    if (Plugin.of(plugin, pluginOpts, path) instanceof Plugin.Child
        && dial != null
        && dial.detour() != null) {
      throw new ConfigException(
          JsonPaths.field(path, "detour"), "a SIP003 child plugin dials the server itself");
    }
  }

  /** 0 when UDP goes as datagrams, else the UDP-over-TCP version. */
  public int udpOverTcpVersion() {
    return Options.udpOverTcp("", udpOverTcp);
  }

  public Plugin pluginValue() {
    return Plugin.of(plugin, pluginOpts, "");
  }

  public Method methodValue() {
    return Method.of(method);
  }
}
