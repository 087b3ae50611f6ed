package dev.umbra.dns.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;

/**
 * One entry of the cache file's log (codec only). Every record is scoped by the config's {@code
 * cache_id}, as sing-box scopes its buckets.
 */
sealed interface CacheRecord {
  String cacheId();

  /** The ranges a fakeip server had when its entries were written; a change voids them. */
  record FakeIpRanges(String cacheId, String server, String inet4, String inet6)
      implements CacheRecord {}

  /** {@code address} stands for {@code domain}. */
  record FakeIp(String cacheId, String server, InetAddress address, String domain)
      implements CacheRecord {}

  /** An address rule rejected this server's answer for (name, type) until {@code expires}. */
  record Rdrc(String cacheId, String server, String name, int type, long expiresMillis)
      implements CacheRecord {}

  int FAKEIP_RANGES = 1;
  int FAKEIP = 2;
  int RDRC = 3;

  static byte[] encode(CacheRecord r) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      switch (r) {
        case FakeIpRanges f -> {
          out.writeByte(FAKEIP_RANGES);
          out.writeUTF(f.cacheId());
          out.writeUTF(f.server());
          out.writeUTF(f.inet4());
          out.writeUTF(f.inet6());
        }
        case FakeIp f -> {
          out.writeByte(FAKEIP);
          out.writeUTF(f.cacheId());
          out.writeUTF(f.server());
          byte[] a = f.address().getAddress();
          out.writeByte(a.length);
          out.write(a);
          out.writeUTF(f.domain());
        }
        case Rdrc d -> {
          out.writeByte(RDRC);
          out.writeUTF(d.cacheId());
          out.writeUTF(d.server());
          out.writeUTF(d.name());
          out.writeShort(d.type());
          out.writeLong(d.expiresMillis());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Decodes one payload; IOException for anything malformed. */
  static CacheRecord decode(byte[] payload) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
    int kind = in.readUnsignedByte();
    CacheRecord r =
        switch (kind) {
          case FAKEIP_RANGES ->
              new FakeIpRanges(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF());
          case FAKEIP -> {
            String id = in.readUTF();
            String server = in.readUTF();
            int len = in.readUnsignedByte();
            if (len != 4 && len != 16) {
              throw new IOException("bad address length " + len);
            }
            byte[] a = in.readNBytes(len);
            if (a.length != len) {
              throw new IOException("truncated address");
            }
            yield new FakeIp(id, server, InetAddress.getByAddress(a), in.readUTF());
          }
          case RDRC ->
              new Rdrc(
                  in.readUTF(), in.readUTF(), in.readUTF(), in.readUnsignedShort(), in.readLong());
          default -> throw new IOException("unknown record kind " + kind);
        };
    if (in.available() != 0) {
      throw new IOException("trailing bytes in record");
    }
    return r;
  }
}
