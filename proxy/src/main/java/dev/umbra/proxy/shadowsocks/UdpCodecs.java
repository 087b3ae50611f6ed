package dev.umbra.proxy.shadowsocks;

import java.util.List;

/** Picks the UDP codec for a method. */
final class UdpCodecs {
  private UdpCodecs() {}

  static UdpServerCodec server(
      Method method, List<AeadServerHandshake.Key> keys, Ss2022Keys keys2022) {
    return switch (method) {
      case Method.None n -> AeadUdpCodec.server(method, keys);
      case Method.Aead a -> AeadUdpCodec.server(method, keys);
      case Method.Aead2022 a -> new Aead2022UdpServer(a, keys2022);
    };
  }

  static UdpClientCodec client(Method method, byte[] key, List<byte[]> psks) {
    return switch (method) {
      case Method.None n -> AeadUdpCodec.client(method, key);
      case Method.Aead a -> AeadUdpCodec.client(method, key);
      case Method.Aead2022 a -> new Aead2022UdpClient(a, psks);
    };
  }
}
