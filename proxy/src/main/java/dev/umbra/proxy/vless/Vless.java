package dev.umbra.proxy.vless;

import dev.umbra.core.net.Destination;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

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
  public record Request(int command, Destination destination, String flow) {
    public Request(int command, Destination destination) {
      this(command, destination, "");
    }
  }

  public static byte[] request(byte[] uuid, int command, Destination destination) {
    return request(uuid, command, destination, "");
  }

  /**
   * A request; a non-empty {@code flow} goes in the addons, protobuf field 1 (Xray-core
   * proxy/vless/encoding/addons.proto: {@code Flow = 1, Seed = 2}).
   */
  public static byte[] request(byte[] uuid, int command, Destination destination, String flow) {
    byte[] f = flow.getBytes(StandardCharsets.US_ASCII);
    if (f.length > 127) {
      throw new IllegalArgumentException("flow too long");
    }
    int addons = f.length == 0 ? 0 : 2 + f.length;
    // the Mux command (xudp) carries no address (sing-vmess vless/protocol.go)
    int address = command == MUX ? 0 : VAddress.length(destination);
    ByteBuffer b = ByteBuffer.allocate(1 + 16 + 1 + addons + 1 + address);
    b.put((byte) VERSION).put(uuid).put((byte) addons);
    if (addons > 0) {
      b.put((byte) 0x0a).put((byte) f.length).put(f);
    }
    b.put((byte) command);
    if (command != MUX) {
      VAddress.write(b, destination);
    }
    return b.array();
  }

  /** The flow in a request's addons (protobuf), "" when absent. */
  static String flowOf(byte[] addons) throws ProtocolException {
    String flow = "";
    int i = 0;
    while (i < addons.length) {
      int tag = addons[i++] & 0xff;
      if ((tag & 7) != 2) {
        throw new ProtocolException("VLESS addons: unexpected wire type in tag " + tag);
      }
      int len = 0;
      for (int shift = 0; ; shift += 7) {
        if (i >= addons.length || shift > 21) {
          throw new ProtocolException("VLESS addons: truncated length");
        }
        int c = addons[i++] & 0xff;
        len |= (c & 0x7f) << shift;
        if ((c & 0x80) == 0) {
          break;
        }
      }
      if (len > addons.length - i) {
        throw new ProtocolException("VLESS addons: field longer than the addons");
      }
      if (tag >>> 3 == 1) {
        flow = new String(addons, i, len, StandardCharsets.US_ASCII);
      }
      i += len;
    }
    return flow;
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
    byte[] addons = new byte[in.readUnsignedByte()];
    in.readFully(addons);
    String flow = flowOf(addons);
    int command = in.readUnsignedByte();
    if (command == MUX) {
      return new Request(command, Xudp.DESTINATION, flow);
    }
    if (command != TCP && command != UDP) {
      throw new ProtocolException("unknown VLESS command " + command);
    }
    return new Request(command, VAddress.read(in), flow);
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
