package dev.umbra.core.sniff;

import dev.umbra.core.net.Network;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** The sniffers on the class path, by name. */
public final class Sniffers {
  private final Map<String, Sniffer> byName = new LinkedHashMap<>();

  private Sniffers() {
    for (Sniffer s : ServiceLoader.load(Sniffer.class)) {
      byName.put(s.name(), s);
    }
  }

  private static final Sniffers INSTANCE = new Sniffers();

  public static Sniffers installed() {
    return INSTANCE;
  }

  public java.util.Set<String> names() {
    return byName.keySet();
  }

  /**
   * Runs the named sniffers (all of the network's when {@code names} is empty) over {@code data}.
   * Returns a Match if one matched, NeedMore if any still might, else NoMatch.
   */
  public SniffOutcome sniff(Network network, List<String> names, ByteBuffer data) {
    boolean needMore = false;
    for (Sniffer s : byName.values()) {
      if (s.network() != network || (!names.isEmpty() && !names.contains(s.name()))) {
        continue;
      }
      SniffOutcome o;
      try {
        o = s.sniff(data.duplicate());
      } catch (RuntimeException e) {
        // A sniffer bug must not kill the connection; treat it as no match.
        o = SniffOutcome.NO_MATCH;
      }
      if (o instanceof SniffOutcome.Match) {
        return o;
      }
      if (o instanceof SniffOutcome.NeedMore) {
        needMore = true;
      }
    }
    return needMore ? SniffOutcome.NEED_MORE : SniffOutcome.NO_MATCH;
  }
}
