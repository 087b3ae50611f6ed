package dev.umbra.core.sniff;

import dev.umbra.core.net.Network;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/** The sniffers on the class path, by name. */
public final class Sniffers {
  // A list, not a map by name: a name may have a TCP and a UDP sniffer ("dns", "bittorrent").
  private final List<Sniffer> all = new ArrayList<>();

  private Sniffers() {
    for (Sniffer s : ServiceLoader.load(Sniffer.class)) {
      all.add(s);
    }
  }

  private static final Sniffers INSTANCE = new Sniffers();

  public static Sniffers installed() {
    return INSTANCE;
  }

  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    all.forEach(s -> names.add(s.name()));
    return names;
  }

  /**
   * Runs the named sniffers (all of the network's when {@code names} is empty) over {@code data}.
   * Returns a Match if one matched, NeedMore if any still might, else NoMatch.
   */
  public SniffOutcome sniff(Network network, List<String> names, ByteBuffer data) {
    return run(network, names, s -> s.sniff(data.duplicate()));
  }

  /**
   * Runs the named UDP sniffers (all when {@code names} is empty) over a flow's first datagrams.
   * Returns a Match if one matched, NeedMore if any still might with more datagrams, else NoMatch.
   */
  public SniffOutcome sniffPackets(List<String> names, List<ByteBuffer> datagrams) {
    List<ByteBuffer> copies = datagrams.stream().map(ByteBuffer::duplicate).toList();
    return run(Network.UDP, names, s -> s.sniffPackets(copies));
  }

  private SniffOutcome run(
      Network network, List<String> names, java.util.function.Function<Sniffer, SniffOutcome> f) {
    boolean needMore = false;
    for (Sniffer s : all) {
      if (s.network() != network || (!names.isEmpty() && !names.contains(s.name()))) {
        continue;
      }
      SniffOutcome o;
      try {
        o = f.apply(s);
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
