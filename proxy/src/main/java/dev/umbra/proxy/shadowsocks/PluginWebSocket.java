package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Conn;
import dev.umbra.transport.TransportOptions;
import dev.umbra.transport.ws.WebSocketClient;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * v2ray-plugin's WebSocket leg, on the transport module's ws client: a GET for {@code path} with
 * {@code host} as Host and Go's User-Agent (as the plugin's Go client sends), binary frames after.
 */
final class PluginWebSocket {
  private PluginWebSocket() {}

  static Conn connect(Conn carrier, String host, String path) throws IOException {
    TransportOptions ws =
        new TransportOptions(
            "ws",
            null,
            path,
            null,
            Map.of("User-Agent", List.of("Go-http-client/1.1")),
            null,
            null,
            null,
            null,
            null,
            null);
    return new WebSocketClient(ws, false).connect(carrier, host);
  }
}
