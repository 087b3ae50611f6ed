package dev.umbra.tor.dir;

import java.util.ArrayList;
import java.util.List;

/** An exit-policy summary ("p accept 80,443,1000-2000" / "p reject 1-65535"). */
public record PortPolicy(boolean accept, List<int[]> ranges) {
  public static final PortPolicy REJECT_ALL = new PortPolicy(false, List.of(new int[] {1, 65535}));
  private static final int MAX_RANGES = 10_000;

  public static PortPolicy parse(String action, String list) throws DirException {
    boolean accept =
        switch (action) {
          case "accept" -> true;
          case "reject" -> false;
          default -> throw new DirException("bad policy action " + action);
        };
    List<int[]> ranges = new ArrayList<>();
    for (String r : list.split(",", -1)) {
      if (ranges.size() >= MAX_RANGES) {
        throw new DirException("policy summary too long");
      }
      int dash = r.indexOf('-');
      int lo = Consensus.port(dash < 0 ? r : r.substring(0, dash));
      int hi = dash < 0 ? lo : Consensus.port(r.substring(dash + 1));
      if (lo < 1 || hi < lo) {
        throw new DirException("bad port range " + r);
      }
      ranges.add(new int[] {lo, hi});
    }
    return new PortPolicy(accept, List.copyOf(ranges));
  }

  public boolean allows(int port) {
    for (int[] r : ranges) {
      if (port >= r[0] && port <= r[1]) {
        return accept;
      }
    }
    return !accept;
  }
}
