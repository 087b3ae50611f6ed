package dev.umbra.tor.circuit;

/** Reads a relay's protocol versions line ("pr", e.g. {@code FlowCtrl=1-2 Relay=2-4}). */
public final class Protocols {
  private Protocols() {}

  /** True when {@code protocols} lists {@code version} of the {@code name} subprotocol. */
  public static boolean supports(String protocols, String name, int version) {
    String prefix = name + "=";
    for (String entry : protocols.split(" ", -1)) {
      if (!entry.startsWith(prefix)) {
        continue;
      }
      for (String range : entry.substring(prefix.length()).split(",", -1)) {
        int dash = range.indexOf('-');
        try {
          int lo = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
          int hi = dash < 0 ? lo : Integer.parseInt(range.substring(dash + 1));
          if (version >= lo && version <= hi) {
            return true;
          }
        } catch (NumberFormatException e) {
          return false;
        }
      }
    }
    return false;
  }
}
