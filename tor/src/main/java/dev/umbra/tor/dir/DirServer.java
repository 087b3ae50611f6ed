package dev.umbra.tor.dir;

import dev.umbra.tor.channel.RelayTarget;
import java.net.InetSocketAddress;

/**
 * Where a directory request can go: an ORPort reached over a one-hop circuit and BEGIN_DIR (a
 * directory cache, a guard, a fallback directory), or an authority's DirPort over plain HTTP.
 *
 * @param orPort the relay to reach over BEGIN_DIR, or null
 * @param ntorOnionKey the relay's ntor key (from its microdescriptor), or null: then the one-hop
 *     circuit uses CREATE_FAST (fallbacks before the first consensus)
 * @param dirPort an HTTP directory port, used only when {@code orPort} is null
 */
@SuppressWarnings("ArrayRecordComponent")
public record DirServer(
    String name, RelayTarget orPort, byte[] ntorOnionKey, InetSocketAddress dirPort) {
  public DirServer {
    if (orPort == null && dirPort == null) {
      throw new IllegalArgumentException("a directory server needs an ORPort or a DirPort");
    }
  }

  /** A relay from the consensus as a directory cache (BEGIN_DIR, ntor). */
  public static DirServer cache(Relay r) {
    return new DirServer(
        "cache " + r.status().nickname(), r.hop().target(), r.hop().ntorOnionKey(), null);
  }

  public boolean beginDir() {
    return orPort != null;
  }

  @Override
  public String toString() {
    return name + (orPort != null ? " (BEGIN_DIR " + orPort.address() + ")" : " " + dirPort);
  }
}
