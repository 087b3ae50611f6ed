package dev.umbra.wireguard.device;

/**
 * Where the device hands decrypted IP packets (the "TUN side": a netstack, a TUN device, a test).
 * Called on the device's receive thread; the bytes are only valid during the call.
 */
@FunctionalInterface
public interface PacketSink {
  void deliver(byte[] packet, int off, int len);
}
