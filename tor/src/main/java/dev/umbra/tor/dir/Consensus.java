package dev.umbra.tor.dir;

import dev.umbra.tor.crypto.Rsa;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A microdescriptor-flavoured consensus (dir-spec "consensus formats"): lifetime, parameters,
 * bandwidth weights and router status entries. {@link #verify} checks the authorities' signatures
 * over the SHA-256 of the text up to and including the first "directory-signature ".
 */
public record Consensus(
    Instant validAfter,
    Instant freshUntil,
    Instant validUntil,
    Map<String, Integer> params,
    Map<String, Integer> bandwidthWeights,
    List<RouterStatus> routers,
    List<Signature> signatures,
    @SuppressWarnings("ArrayRecordComponent") byte[] signedDigest) {

  public static final int MAX_ROUTERS = 20_000;

  /** One directory-signature item. */
  @SuppressWarnings("ArrayRecordComponent")
  public record Signature(String algorithm, String identity, String signingKeyDigest, byte[] sig) {}

  public static Consensus parse(String text) throws DirException {
    List<DocReader.Item> items = DocReader.items(text);
    if (items.isEmpty()
        || !items.getFirst().keyword().equals("network-status-version")
        || !items.getFirst().args().equals(List.of("3", "microdesc"))) {
      throw new DirException("not a microdescriptor consensus");
    }
    Instant va = null;
    Instant fu = null;
    Instant vu = null;
    Map<String, Integer> params = new HashMap<>();
    Map<String, Integer> weights = new HashMap<>();
    List<RouterStatus> routers = new ArrayList<>();
    List<Signature> sigs = new ArrayList<>();
    boolean consensus = false;
    Builder cur = null;
    int firstSigOffset = -1;
    for (DocReader.Item it : items) {
      String kw = it.keyword();
      if (firstSigOffset >= 0 && !kw.equals("directory-signature")) {
        throw new DirException("item " + kw + " after the signatures");
      }
      switch (kw) {
        case "vote-status" -> consensus = it.arg(0).equals("consensus");
        case "valid-after" -> va = DocReader.time(it);
        case "fresh-until" -> fu = DocReader.time(it);
        case "valid-until" -> vu = DocReader.time(it);
        case "params" -> parseKv(it.args(), params);
        case "bandwidth-weights" -> parseKv(it.args(), weights);
        case "r" -> {
          if (cur != null) {
            routers.add(cur.build());
          }
          if (routers.size() >= MAX_ROUTERS) {
            throw new DirException("consensus lists too many routers");
          }
          cur = new Builder(it);
        }
        case "s" -> need(cur, it).flags = new HashSet<>(it.args());
        case "w" -> {
          Builder b = need(cur, it);
          Map<String, Integer> w = new HashMap<>();
          parseKv(it.args(), w);
          b.bandwidth = w.getOrDefault("Bandwidth", 0);
          b.unmeasured = w.getOrDefault("Unmeasured", 0) == 1;
        }
        case "pr" -> need(cur, it).protocols = String.join(" ", it.args());
        case "m" -> need(cur, it).md = DocReader.base64(it.arg(0));
        case "directory-footer" -> {
          if (cur != null) {
            routers.add(cur.build());
            cur = null;
          }
        }
        case "directory-signature" -> {
          if (firstSigOffset < 0) {
            firstSigOffset = it.offset();
          }
          if (it.object() == null) {
            throw new DirException("directory-signature without a signature");
          }
          if (it.args().size() == 2) {
            sigs.add(new Signature("sha1", upper(it.arg(0)), upper(it.arg(1)), it.object()));
          } else {
            sigs.add(new Signature(it.arg(0), upper(it.arg(1)), upper(it.arg(2)), it.object()));
          }
        }
        default -> {}
      }
    }
    if (cur != null) {
      routers.add(cur.build());
    }
    if (!consensus || va == null || fu == null || vu == null || firstSigOffset < 0) {
      throw new DirException("consensus lacks its header or signatures");
    }
    if (!(va.isBefore(fu) || va.equals(fu)) || fu.isAfter(vu)) {
      throw new DirException("consensus lifetime is inconsistent");
    }
    String signed = text.substring(0, firstSigOffset) + "directory-signature ";
    byte[] digest = KeyCertificate.sha("SHA-256", signed.getBytes(StandardCharsets.ISO_8859_1));
    return new Consensus(
        va,
        fu,
        vu,
        Map.copyOf(params),
        Map.copyOf(weights),
        List.copyOf(routers),
        List.copyOf(sigs),
        digest);
  }

  /**
   * Checks that more than half of the {@code trusted} authority identities (v3idents) signed this
   * consensus with a currently valid signing key from {@code certs}.
   */
  public void verify(Set<String> trusted, Collection<KeyCertificate> certs, Instant now)
      throws DirException {
    Set<String> good = new HashSet<>();
    for (Signature s : signatures) {
      if (!s.algorithm().equals("sha256") || !trusted.contains(s.identity())) {
        continue;
      }
      for (KeyCertificate c : certs) {
        if (c.fingerprint().equals(s.identity())
            && c.signingKeyDigest().equals(s.signingKeyDigest())
            && c.expires().isAfter(now)
            && Rsa.verifyRaw(c.signingKey(), s.sig(), signedDigest)) {
          good.add(s.identity());
        }
      }
    }
    if (good.size() * 2 <= trusted.size()) {
      throw new DirException(
          "consensus signed by " + good.size() + " of " + trusted.size() + " trusted authorities");
    }
  }

  /** A consensus parameter, clamped, or its default when absent. */
  public int param(String name, int dflt, int min, int max) {
    Integer v = params.get(name);
    return v == null ? dflt : Math.max(min, Math.min(max, v));
  }

  public boolean isLive(Instant now) {
    return !now.isBefore(validAfter) && now.isBefore(validUntil);
  }

  private static String upper(String s) {
    return s.toUpperCase(Locale.ROOT);
  }

  private static Builder need(Builder b, DocReader.Item it) throws DirException {
    if (b == null) {
      throw new DirException(it.keyword() + " before any r line");
    }
    return b;
  }

  private static void parseKv(List<String> args, Map<String, Integer> into) throws DirException {
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new DirException("bad key=value: " + a);
      }
      try {
        into.put(a.substring(0, eq), Integer.parseInt(a.substring(eq + 1)));
      } catch (NumberFormatException e) {
        throw new DirException("bad integer in " + a);
      }
    }
  }

  private static final class Builder {
    final String nickname;
    final byte[] id;
    final InetAddress addr;
    final int orPort;
    final int dirPort;
    Set<String> flags = Set.of();
    long bandwidth;
    boolean unmeasured;
    String protocols = "";
    byte[] md;

    Builder(DocReader.Item it) throws DirException {
      // r nickname identity published-date published-time IP ORPort DirPort
      if (it.args().size() < 7) {
        throw new DirException("short r line");
      }
      nickname = it.arg(0);
      id = DocReader.base64(it.arg(1));
      if (id.length != 20) {
        throw new DirException("r line identity is not 20 bytes");
      }
      addr = ipv4(it.arg(4));
      orPort = port(it.arg(5));
      dirPort = port(it.arg(6));
    }

    RouterStatus build() throws DirException {
      if (md == null || md.length != 32) {
        throw new DirException("router " + nickname + " has no microdescriptor digest");
      }
      return new RouterStatus(
          nickname,
          id,
          addr,
          orPort,
          dirPort,
          Set.copyOf(flags),
          bandwidth,
          unmeasured,
          protocols,
          md);
    }
  }

  static InetAddress ipv4(String s) throws DirException {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      throw new DirException("bad IPv4 address: " + s);
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255) {
        throw new DirException("bad IPv4 address: " + s);
      }
      b[i] = (byte) Integer.parseInt(parts[i]);
    }
    try {
      return InetAddress.getByAddress(b); // never a DNS lookup
    } catch (UnknownHostException e) {
      throw new DirException("bad IPv4 address: " + s);
    }
  }

  static int port(String s) throws DirException {
    try {
      int p = Integer.parseInt(s);
      if (p < 0 || p > 65535) {
        throw new DirException("bad port " + s);
      }
      return p;
    } catch (NumberFormatException e) {
      throw new DirException("bad port " + s);
    }
  }
}
