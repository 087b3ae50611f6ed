package dev.umbra.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each transport type takes its own sing-box fields and refuses the others by JSON path. */
class TransportOptionsTest {
  static void refused(String json, String path) {
    assertThatThrownBy(() -> Loopback.transport(json))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(path);
  }

  @Test
  void httpAndGrpcFieldsBind() {
    TransportOptions h =
        Loopback.transport(
            "{\"type\": \"http\", \"host\": [\"a\", \"b\"], \"path\": \"/p\", \"method\": \"POST\","
                + " \"headers\": {\"X\": \"1\"}, \"idle_timeout\": \"15s\", \"ping_timeout\": \"5s\"}");
    assertThat(h.host()).containsExactly("a", "b");
    assertThat(h.idleTimeoutOrZero()).isEqualTo(Duration.ofSeconds(15));
    assertThat(h.pingTimeoutOrDefault()).isEqualTo(Duration.ofSeconds(5));
    TransportOptions g =
        Loopback.transport(
            "{\"type\": \"grpc\", \"service_name\": \"s\", \"permit_without_stream\": true}");
    assertThat(g.serviceNameOrEmpty()).isEqualTo("s");
    assertThat(g.pingTimeoutOrDefault()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void foreignFieldsAreRefused() {
    refused("{\"type\": \"grpc\", \"path\": \"/x\"}", "transport.path");
    refused("{\"type\": \"grpc\", \"host\": [\"a\"]}", "transport.host");
    refused("{\"type\": \"http\", \"service_name\": \"s\"}", "transport.service_name");
    refused(
        "{\"type\": \"http\", \"permit_without_stream\": true}", "transport.permit_without_stream");
    refused("{\"type\": \"ws\", \"method\": \"GET\"}", "transport.method");
    refused("{\"type\": \"httpupgrade\", \"idle_timeout\": \"1s\"}", "transport.idle_timeout");
    // sing-box's quic transport has no fields of its own
    assertThat(Loopback.transport("{\"type\": \"quic\"}").type()).isEqualTo("quic");
    refused("{\"type\": \"quic\", \"path\": \"/x\"}", "transport.path");
    refused("{\"type\": \"quic\", \"host\": [\"a\"]}", "transport.host");
    refused("{\"type\": \"quic\", \"headers\": {\"X\": \"1\"}}", "transport.headers");
    refused("{\"type\": \"kcp\"}", "transport.type");
  }
}
