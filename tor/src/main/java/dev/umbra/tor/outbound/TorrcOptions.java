package dev.umbra.tor.outbound;

import dev.umbra.tor.client.DirAuthority;
import dev.umbra.tor.client.FallbackDir;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The torrc options the pure-Java client understands. {@code DirAuthority} may hold several
 * authorities separated by newlines (a JSON map has one value per key). Any other option is an
 * error rather than being ignored.
 */
public record TorrcOptions(
    List<DirAuthority> authorities,
    boolean testingTorNetwork,
    Set<String> excludeNodes,
    Set<String> exitNodes,
    Set<String> entryNodes,
    boolean strictNodes,
    IsolationFlags isolation,
    List<FallbackDir> fallbackDirs,
    boolean conflux) {

  /**
   * Which stream properties separate circuits, named after C tor's SocksPort isolation flags
   * (accepted here as torrc keys of their own): {@code IsolateSOCKSAuth} (default 1: SOCKS/HTTP
   * credentials), {@code IsolateDestAddr}, {@code IsolateDestPort}, {@code IsolateClientAddr}
   * (default 0). Streams from different inbounds are always isolated, as C tor isolates ports.
   */
  public record IsolationFlags(
      boolean socksAuth, boolean destAddr, boolean destPort, boolean clientAddr) {
    public static final IsolationFlags DEFAULT = new IsolationFlags(true, false, false, false);
  }

  /** An unusable torrc option; {@link #key()} names it. */
  public static final class BadOption extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String key;

    BadOption(String key, String message) {
      super(message);
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  public static TorrcOptions parse(Map<String, String> torrc) {
    List<DirAuthority> auths = new ArrayList<>();
    List<FallbackDir> fallbacks = new ArrayList<>();
    boolean testing = false;
    boolean fallbackDirs = true;
    Set<String> exclude = Set.of();
    Set<String> exits = Set.of();
    Set<String> entries = Set.of();
    boolean strict = false;
    boolean isoAuth = true;
    boolean isoAddr = false;
    boolean isoPort = false;
    boolean isoClient = false;
    boolean conflux = true;
    for (Map.Entry<String, String> e : torrc.entrySet()) {
      String k = e.getKey();
      String v = e.getValue() == null ? "" : e.getValue().trim();
      switch (k) {
        case "DirAuthority" -> {
          for (String line : v.split("[\\n;]", -1)) {
            if (!line.isBlank()) {
              try {
                auths.add(DirAuthority.parse(line));
              } catch (IllegalArgumentException ex) {
                throw new BadOption(k, ex.getMessage());
              }
            }
          }
        }
        case "FallbackDir" -> {
          for (String line : v.split("[\\n;]", -1)) {
            if (!line.isBlank()) {
              try {
                fallbacks.add(FallbackDir.parse(line));
              } catch (IllegalArgumentException ex) {
                throw new BadOption(k, ex.getMessage());
              }
            }
          }
        }
        case "TestingTorNetwork" -> testing = bool(k, v);
        case "UseDefaultFallbackDirs" -> fallbackDirs = bool(k, v);
        case "ExcludeNodes" -> exclude = fingerprints(k, v);
        case "ExitNodes" -> exits = fingerprints(k, v);
        case "EntryNodes" -> entries = fingerprints(k, v);
        case "StrictNodes" -> strict = bool(k, v);
        case "IsolateSOCKSAuth" -> isoAuth = bool(k, v);
        case "IsolateDestAddr" -> isoAddr = bool(k, v);
        case "IsolateDestPort" -> isoPort = bool(k, v);
        case "IsolateClientAddr" -> isoClient = bool(k, v);
        case "ConfluxEnabled" ->
            conflux =
                switch (v) {
                  case "auto" -> true; // the consensus (cfx_enabled) decides
                  case "0" -> false;
                  default ->
                      throw new BadOption(
                          k,
                          "ConfluxEnabled must be 0 or auto (1, conflux against the consensus,"
                              + " is not supported), got '"
                              + v
                              + "'");
                };
        default ->
            throw new BadOption(
                k,
                "torrc option '"
                    + k
                    + "' is not supported by Umbra's Tor client (supported: DirAuthority,"
                    + " FallbackDir,"
                    + " TestingTorNetwork, UseDefaultFallbackDirs, ExcludeNodes, ExitNodes,"
                    + " EntryNodes, StrictNodes, IsolateSOCKSAuth, IsolateDestAddr,"
                    + " IsolateDestPort, IsolateClientAddr, ConfluxEnabled)");
      }
    }
    if (auths.isEmpty()) {
      throw new BadOption(
          "DirAuthority",
          "bootstrapping from the public Tor network's built-in authorities is not implemented"
              + " yet: set torrc.DirAuthority");
    }
    if (fallbackDirs) {
      throw new BadOption(
          "UseDefaultFallbackDirs",
          "built-in fallback directories are not implemented yet: set UseDefaultFallbackDirs 0");
    }
    if (testing && auths.isEmpty()) {
      throw new BadOption("TestingTorNetwork", "TestingTorNetwork needs DirAuthority lines");
    }
    return new TorrcOptions(
        List.copyOf(auths),
        testing,
        exclude,
        exits,
        entries,
        strict,
        new IsolationFlags(isoAuth, isoAddr, isoPort, isoClient),
        List.copyOf(fallbacks),
        conflux);
  }

  private static boolean bool(String k, String v) {
    return switch (v) {
      case "1" -> true;
      case "0" -> false;
      default -> throw new BadOption(k, k + " must be 0 or 1, got '" + v + "'");
    };
  }

  /** Comma-separated relay fingerprints, optionally '$'-prefixed (nicknames are not accepted). */
  private static Set<String> fingerprints(String k, String v) {
    Set<String> out = new HashSet<>();
    for (String s : v.split(",", -1)) {
      String t = s.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (t.startsWith("$")) {
        t = t.substring(1);
      }
      t = t.toUpperCase(Locale.ROOT);
      if (!t.matches("[0-9A-F]{40}")) {
        throw new BadOption(
            k,
            k + ": only relay fingerprints (40 hex digits) are supported, got '" + s.trim() + "'");
      }
      out.add(t);
    }
    return Set.copyOf(out);
  }
}
