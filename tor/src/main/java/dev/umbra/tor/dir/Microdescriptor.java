package dev.umbra.tor.dir;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A microdescriptor (dir-spec "microdescriptors"): the relay's ntor onion key, Ed25519 identity,
 * family, family-ids (prop 321 "happy families": opaque IDs such as {@code ed25519:<key>}, kept
 * whatever their format) and IPv4 exit-policy summary. Its digest is the SHA-256 of its exact text,
 * which is how the consensus names it.
 */
@SuppressWarnings("ArrayRecordComponent")
public record Microdescriptor(
    byte[] digest,
    byte[] ntorOnionKey,
    byte[] ed25519Id,
    List<String> family,
    PortPolicy policy,
    String text,
    List<String> familyIds) {

  /** Without family-ids (prop 321), as older microdescriptors are. */
  public Microdescriptor(
      byte[] digest,
      byte[] ntorOnionKey,
      byte[] ed25519Id,
      List<String> family,
      PortPolicy policy,
      String text) {
    this(digest, ntorOnionKey, ed25519Id, family, policy, text, List.of());
  }

  public static final int MAX_COUNT = 20_000;
  static final int MAX_FAMILY_IDS = 64;

  /** Splits and parses a /tor/micro/d/... answer (mds start with onion-key or ntor-onion-key). */
  public static List<Microdescriptor> parseAll(String text) throws DirException {
    List<Integer> starts = new ArrayList<>();
    String first = text.startsWith("onion-key") ? "onion-key" : "ntor-onion-key";
    int pos = 0;
    while (pos < text.length()) {
      if (text.startsWith(first, pos)
          && (pos + first.length() == text.length()
              || text.charAt(pos + first.length()) == '\n'
              || text.charAt(pos + first.length()) == ' ')) {
        starts.add(pos);
        if (starts.size() > MAX_COUNT) {
          throw new DirException("too many microdescriptors");
        }
      }
      int eol = text.indexOf('\n', pos);
      pos = eol < 0 ? text.length() : eol + 1;
    }
    if (starts.isEmpty() && !text.isBlank()) {
      throw new DirException("no microdescriptor in the answer");
    }
    List<Microdescriptor> out = new ArrayList<>();
    for (int i = 0; i < starts.size(); i++) {
      int end = i + 1 < starts.size() ? starts.get(i + 1) : text.length();
      out.add(parse(text.substring(starts.get(i), end)));
    }
    return out;
  }

  public static Microdescriptor parse(String text) throws DirException {
    byte[] digest = KeyCertificate.sha("SHA-256", text.getBytes(StandardCharsets.ISO_8859_1));
    byte[] ntor = null;
    byte[] ed = null;
    List<String> family = List.of();
    List<String> familyIds = List.of();
    PortPolicy policy = PortPolicy.REJECT_ALL;
    for (DocReader.Item it : DocReader.items(text)) {
      switch (it.keyword()) {
        case "ntor-onion-key" -> {
          if (ntor != null) {
            throw new DirException("duplicate ntor-onion-key");
          }
          ntor = DocReader.base64(it.arg(0));
        }
        case "id" -> {
          if (it.arg(0).equals("ed25519")) {
            ed = DocReader.base64(it.arg(1));
          }
        }
        case "family" -> family = List.copyOf(it.args());
        case "family-ids" -> {
          if (it.args().size() > MAX_FAMILY_IDS) {
            throw new DirException("too many family-ids");
          }
          familyIds = List.copyOf(it.args());
        }
        case "p" -> policy = PortPolicy.parse(it.arg(0), it.arg(1));
        default -> {}
      }
    }
    if (ntor == null || ntor.length != 32) {
      throw new DirException("microdescriptor without a valid ntor-onion-key");
    }
    if (ed != null && ed.length != 32) {
      throw new DirException("microdescriptor Ed25519 identity is not 32 bytes");
    }
    return new Microdescriptor(digest, ntor, ed, family, policy, text, familyIds);
  }
}
