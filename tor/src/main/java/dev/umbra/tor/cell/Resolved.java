package dev.umbra.tor.cell;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** RESOLVED body: answers of type 4 (IPv4), 6 (IPv6), 0 (hostname), F0/F1 (errors), each + TTL. */
public final class Resolved {
  public static final int MAX_ANSWERS = 64;

  private Resolved() {}

  /** The addresses of a RESOLVED body; an error answer is an {@link UnknownHostException}. */
  public static List<InetAddress> addresses(byte[] body, String host)
      throws TorProtocolException, UnknownHostException {
    Bytes r = new Bytes(body, "RESOLVED");
    List<InetAddress> out = new ArrayList<>();
    int count = 0;
    while (r.remaining() > 0) {
      if (++count > MAX_ANSWERS) {
        throw new TorProtocolException("RESOLVED: too many answers");
      }
      int type = r.u8();
      int len = r.u8();
      byte[] value = r.take(len);
      r.u32(); // TTL: we do not cache answers
      switch (type) {
        case 4, 6 -> {
          if ((type == 4 && len != 4) || (type == 6 && len != 16)) {
            throw new TorProtocolException("RESOLVED: bad address length " + len);
          }
          out.add(InetAddress.getByAddress(host, value));
        }
        case 0xF0, 0xF1 ->
            throw new UnknownHostException(
                host
                    + ": exit could not resolve it ("
                    + (type == 0xF0 ? "transient" : "permanent")
                    + ")");
        default -> {
          // hostnames (PTR answers) and unknown types are skipped
        }
      }
    }
    if (out.isEmpty()) {
      throw new UnknownHostException(host + ": no address in RESOLVED");
    }
    return List.copyOf(out);
  }
}
