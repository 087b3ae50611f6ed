package dev.umbra.tor.cell;

import java.util.ArrayList;
import java.util.List;

/** VERSIONS cell body: a list of 2-byte link protocol versions. */
public final class Versions {
  private Versions() {}

  public static Cell encode(int... versions) {
    byte[] b = new byte[versions.length * 2];
    for (int i = 0; i < versions.length; i++) {
      b[2 * i] = (byte) (versions[i] >>> 8);
      b[2 * i + 1] = (byte) versions[i];
    }
    return new Cell(0, Cell.VERSIONS, b);
  }

  public static List<Integer> decode(Cell cell) throws TorProtocolException {
    if (cell.command() != Cell.VERSIONS) {
      throw new TorProtocolException("expected VERSIONS, got command " + cell.command());
    }
    byte[] p = cell.payload();
    if (p.length % 2 != 0) {
      throw new TorProtocolException("VERSIONS body has odd length " + p.length);
    }
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < p.length; i += 2) {
      out.add(((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF));
    }
    return out;
  }

  /** The highest version both sides speak, or -1. */
  public static int highestCommon(List<Integer> theirs, int... ours) {
    int best = -1;
    for (int v : ours) {
      if (theirs.contains(v) && v > best) {
        best = v;
      }
    }
    return best;
  }
}
