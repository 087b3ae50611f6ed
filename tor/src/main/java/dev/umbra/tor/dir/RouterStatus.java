package dev.umbra.tor.dir;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.Set;

/** One relay's entry in a microdescriptor consensus. */
@SuppressWarnings("ArrayRecordComponent")
public record RouterStatus(
    String nickname,
    byte[] rsaId,
    InetAddress address,
    int orPort,
    int dirPort,
    Set<String> flags,
    long bandwidth,
    boolean unmeasured,
    String protocols,
    byte[] microdescDigest) {

  public boolean has(String flag) {
    return flags.contains(flag);
  }

  public String fingerprint() {
    return HexFormat.of().withUpperCase().formatHex(rsaId);
  }

  @Override
  public String toString() {
    return nickname + "~" + fingerprint() + "@" + address.getHostAddress() + ":" + orPort;
  }
}
