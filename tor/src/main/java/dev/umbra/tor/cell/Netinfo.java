package dev.umbra.tor.cell;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** NETINFO: the sender's clock, the address it sees for us, and its own addresses. */
public record Netinfo(long timestamp, InetAddress otherAddress, List<InetAddress> myAddresses) {
  public Netinfo {
    myAddresses = List.copyOf(myAddresses);
  }

  public Cell encode() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write((int) (timestamp >>> 24));
    b.write((int) (timestamp >>> 16));
    b.write((int) (timestamp >>> 8));
    b.write((int) timestamp);
    writeAddr(b, otherAddress);
    b.write(myAddresses.size());
    for (InetAddress a : myAddresses) {
      writeAddr(b, a);
    }
    return Cell.fixed(0, Cell.NETINFO, b.toByteArray());
  }

  private static void writeAddr(ByteArrayOutputStream b, InetAddress a) {
    if (a == null) {
      b.write(0); // "no address": type 0, length 0
      b.write(0);
      return;
    }
    byte[] raw = a.getAddress();
    b.write(raw.length == 4 ? 4 : 6);
    b.write(raw.length);
    b.writeBytes(raw);
  }

  public static Netinfo decode(Cell cell) throws TorProtocolException {
    if (cell.command() != Cell.NETINFO) {
      throw new TorProtocolException("expected NETINFO, got command " + cell.command());
    }
    Bytes r = new Bytes(cell.payload(), "NETINFO");
    long ts = r.u32();
    InetAddress other = readAddr(r);
    int n = r.u8();
    List<InetAddress> mine = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      InetAddress a = readAddr(r);
      if (a != null) {
        mine.add(a);
      }
    }
    return new Netinfo(ts, other, mine);
  }

  private static InetAddress readAddr(Bytes r) throws TorProtocolException {
    int type = r.u8();
    int len = r.u8();
    byte[] raw = r.take(len);
    if ((type == 4 && len == 4) || (type == 6 && len == 16)) {
      try {
        return InetAddress.getByAddress(raw);
      } catch (UnknownHostException e) {
        throw new TorProtocolException("NETINFO: bad address", e);
      }
    }
    return null; // unknown address types are skipped, as the spec allows
  }
}
