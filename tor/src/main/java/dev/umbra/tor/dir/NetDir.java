package dev.umbra.tor.dir;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An immutable snapshot: a verified consensus and the relays whose microdescriptors we have. */
public record NetDir(Consensus consensus, List<Relay> relays, Instant fetchedAt) {
  public NetDir {
    relays = List.copyOf(relays);
  }

  /** Joins routers with microdescriptors by digest; relays without one are left out. */
  public static NetDir join(Consensus c, Map<ByteBuffer, Microdescriptor> mds, Instant now) {
    List<Relay> out = new ArrayList<>();
    for (RouterStatus rs : c.routers()) {
      Microdescriptor md = mds.get(ByteBuffer.wrap(rs.microdescDigest()));
      if (md != null && rs.has("Running") && rs.has("Valid")) {
        out.add(new Relay(rs, md));
      }
    }
    return new NetDir(c, out, now);
  }
}
