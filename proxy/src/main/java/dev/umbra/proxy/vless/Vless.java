package dev.umbra.proxy.vless;

import dev.umbra.core.net.Destination;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;

/**
 * The VLESS request and response codec: {@code ver=0 uuid(16) addons_len addons cmd port type
 * address}, answered by {@code ver=0 addons_len addons}. No I/O beyond the given streams.
 */
public final class Vless {
  public static final int VERSION = 0;
  public static final int TCP = 1;
  public static final int UDP = 2;
  public static final int MUX = 3;

  private Vless() {}

  /** A decoded request (after the user was matched). */
  public record Request(int command, Destination destination) {}

  public static byte[] request(byte[] uuid, int command, Destination destination) {
    ByteBuffer b = ByteBuffer.allocate(1 + 16 + 1 + 1 + VAddress.length(destination));
    b.put((byte) VERSION).put(uuid).put((byte) 0).put((byte) command);
    VAddress.write(b, destination);
    return b.array();
  }

  /** The response header without addons. */
  public static byte[] response() {
    return new byte[] {VERSION, 0};
  }

  /**
   * Reads what follows the UUID: addons (skipped, bounded by their 1-byte length), command and
   * address.
   */
  public static Request readRest(DataInputStream in) throws IOException {
    int addons = in.readUnsignedByte();
    in.skipNBytes(addons);
    int command = in.readUnsignedByte();
    if (command == MUX) {
      throw new ProtocolException("VLESS mux (xudp) is not supported yet");
    }
    if (command != TCP && command != UDP) {
      throw new ProtocolException("unknown VLESS command " + command);
    }
    return new Request(command, VAddress.read(in));
  }

  /** Reads and checks the response header, skipping its addons. */
  public static void readResponse(DataInputStream in) throws IOException {
    int version = in.readUnsignedByte();
    if (version != VERSION) {
      throw new ProtocolException("unexpected VLESS response version " + version);
    }
    in.skipNBytes(in.readUnsignedByte());
  }
}
