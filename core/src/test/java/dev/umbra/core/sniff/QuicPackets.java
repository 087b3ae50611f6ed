package dev.umbra.core.sniff;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;

/**
 * Builds protected client Initial packets for tests: the sealing direction of RFC 9001 §5, checked
 * against the RFC's own example packets before the tests use it for anything else.
 */
final class QuicPackets {
  private QuicPackets() {}

  /** The RFC's example packet stored as hex under test resources. */
  static byte[] resource(String name) {
    try (InputStream in = QuicPackets.class.getResourceAsStream("/quic/" + name)) {
      String hex = new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("\\s", "");
      return HexFormat.of().parseHex(hex);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Seals {@code payload} under {@code header} (unprotected, ending in the packet number of {@code
   * pnLen} bytes) and applies header protection.
   */
  static byte[] protect(
      QuicVersion v, byte[] dcid, byte[] header, int pnLen, long pn, byte[] payload) {
    QuicInitialKeys keys = QuicInitialKeys.client(v, dcid);
    byte[] sealed;
    try {
      Cipher aead = keys.aead(Cipher.ENCRYPT_MODE, pn);
      aead.updateAAD(header);
      sealed = aead.doFinal(payload);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    byte[] packet = new byte[header.length + sealed.length];
    System.arraycopy(header, 0, packet, 0, header.length);
    System.arraycopy(sealed, 0, packet, header.length, sealed.length);
    int pnOffset = header.length - pnLen;
    byte[] mask = keys.mask(packet, pnOffset + 4);
    packet[0] ^= (byte) (mask[0] & 0x0f);
    for (int i = 0; i < pnLen; i++) {
      packet[pnOffset + i] ^= mask[1 + i];
    }
    return packet;
  }

  /**
   * A client Initial carrying {@code frames}, padded with PADDING frames so the packet is {@code
   * size} bytes (0: no padding). Packet number in 4 bytes, empty token.
   */
  static byte[] initial(QuicVersion v, byte[] dcid, byte[] scid, long pn, byte[] frames, int size) {
    int pnLen = 4;
    int headerWithoutLength = 1 + 4 + 1 + dcid.length + 1 + scid.length + 1;
    int payloadLen = frames.length;
    if (size > 0) {
      payloadLen = Math.max(frames.length, size - headerWithoutLength - 2 - pnLen - 16);
    }
    byte[] payload = new byte[payloadLen];
    System.arraycopy(frames, 0, payload, 0, frames.length);
    ByteBuffer h = ByteBuffer.allocate(headerWithoutLength + 2 + pnLen);
    h.put((byte) (0xc0 | (v.initialType << 4) | (pnLen - 1)));
    h.putInt(v.number);
    h.put((byte) dcid.length).put(dcid);
    h.put((byte) scid.length).put(scid);
    h.put((byte) 0); // token length
    h.putShort((short) (0x4000 | (pnLen + payloadLen + 16)));
    h.putInt((int) pn);
    return protect(v, dcid, h.array(), pnLen, pn, payload);
  }

  /** A CRYPTO frame with {@code len} bytes of {@code data} from {@code from}, at that offset. */
  static byte[] crypto(byte[] data, int from, int len) {
    ByteBuffer b = ByteBuffer.allocate(len + 16);
    QuicVarint.write(b, 0x06);
    QuicVarint.write(b, from);
    QuicVarint.write(b, len);
    b.put(data, from, len);
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /**
   * A TLS 1.3 ClientHello handshake message (header included) with server_name, ALPN and a padding
   * extension of {@code paddingLen} bytes to make it as large as a post-quantum browser's.
   */
  static byte[] clientHello(String sni, List<String> alpn, int paddingLen) {
    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    if (sni != null) {
      byte[] name = sni.getBytes(StandardCharsets.US_ASCII);
      ByteBuffer e = ByteBuffer.allocate(9 + name.length);
      e.putShort((short) 0).putShort((short) (5 + name.length));
      e.putShort((short) (3 + name.length)).put((byte) 0).putShort((short) name.length).put(name);
      ext.writeBytes(e.array());
    }
    if (!alpn.isEmpty()) {
      ByteArrayOutputStream list = new ByteArrayOutputStream();
      for (String p : alpn) {
        list.write(p.length());
        list.writeBytes(p.getBytes(StandardCharsets.US_ASCII));
      }
      ByteBuffer e = ByteBuffer.allocate(6 + list.size());
      e.putShort((short) 16).putShort((short) (2 + list.size())).putShort((short) list.size());
      e.put(list.toByteArray());
      ext.writeBytes(e.array());
    }
    ByteBuffer pad = ByteBuffer.allocate(4 + paddingLen);
    pad.putShort((short) 21).putShort((short) paddingLen);
    ext.writeBytes(pad.array());
    ByteBuffer body = ByteBuffer.allocate(2 + 32 + 1 + 4 + 2 + 2 + ext.size());
    body.putShort((short) 0x0303).put(new byte[32]).put((byte) 0);
    body.putShort((short) 2).putShort((short) 0x1301);
    body.put((byte) 1).put((byte) 0);
    body.putShort((short) ext.size()).put(ext.toByteArray());
    byte[] b = body.array();
    ByteBuffer msg = ByteBuffer.allocate(4 + b.length);
    msg.put((byte) 1).put((byte) (b.length >>> 16)).putShort((short) b.length).put(b);
    return msg.array();
  }
}
