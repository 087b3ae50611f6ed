package dev.umbra.tor.dir;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Consensus diffs (proposal 140, dir-spec §4.5 and appendix E): {@code network-status-diff-version
 * 1}, {@code hash <from> <to>} and a limited ed script ({@code Nd}, {@code N,Md}, {@code N,$d},
 * {@code Nc}, {@code N,Mc}, {@code Na}) whose commands run from the end of the file to its start.
 * The base is named by the SHA3-256 of its signed part, the result by the SHA3-256 of the whole
 * document; any mismatch or malformed command is an error (the caller then fetches the full
 * consensus).
 */
public final class ConsensusDiff {
  static final int MAX_LINES = 1_000_000;

  private ConsensusDiff() {}

  public static boolean isDiff(String text) {
    return text.startsWith("network-status-diff-version");
  }

  /** Hex SHA3-256 of the signed part (up to and including the first "directory-signature "). */
  public static String signedDigest(String consensus) throws DirException {
    int i =
        consensus.startsWith("directory-signature ")
            ? 0
            : consensus.indexOf("\ndirectory-signature ");
    if (i < 0) {
      throw new DirException("consensus has no directory-signature");
    }
    int end = (i == 0 ? 0 : i + 1) + "directory-signature ".length();
    return sha3(consensus.substring(0, end));
  }

  /** Hex SHA3-256 of the whole document. */
  public static String fullDigest(String consensus) {
    return sha3(consensus);
  }

  static String sha3(String s) {
    try {
      return HexFormat.of()
          .withUpperCase()
          .formatHex(
              MessageDigest.getInstance("SHA3-256")
                  .digest(s.getBytes(StandardCharsets.ISO_8859_1)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Applies {@code diff} to {@code base} and checks both digests; returns the new document. */
  public static String apply(String base, String diff) throws DirException {
    List<String> d = lines(diff);
    if (d.size() < 2 || !d.get(0).equals("network-status-diff-version 1")) {
      throw new DirException("not a version 1 consensus diff");
    }
    String[] hash = d.get(1).split(" ", -1);
    if (hash.length != 3 || !hash[0].equals("hash") || !hex64(hash[1]) || !hex64(hash[2])) {
      throw new DirException("bad consensus diff hash line");
    }
    if (!signedDigest(base).equals(hash[1].toUpperCase(Locale.ROOT))) {
      throw new DirException("consensus diff does not apply to the consensus we have");
    }
    List<String> out = new ArrayList<>(lines(base));
    int lastStart = Integer.MAX_VALUE; // commands must move strictly towards the file's start
    int i = 2;
    while (i < d.size()) {
      String cmd = d.get(i++);
      char op = cmd.isEmpty() ? '?' : cmd.charAt(cmd.length() - 1);
      String range = cmd.isEmpty() ? "" : cmd.substring(0, cmd.length() - 1);
      int start;
      int end;
      int comma = range.indexOf(',');
      if (comma < 0) {
        start = number(range, cmd);
        end = start;
      } else {
        start = number(range.substring(0, comma), cmd);
        String e = range.substring(comma + 1);
        if (e.equals("$")) {
          if (op != 'd') {
            throw new DirException("'$' is only allowed with d: " + cmd);
          }
          end = out.size();
        } else {
          end = number(e, cmd);
        }
        if (op == 'a') {
          throw new DirException("append takes one line number: " + cmd);
        }
      }
      switch (op) {
        case 'd', 'c' -> {
          if (start < 1 || end < start || end > out.size() || end >= lastStart) {
            throw new DirException("consensus diff command out of order or range: " + cmd);
          }
          List<String> block = op == 'c' ? new ArrayList<>() : List.of();
          if (op == 'c') {
            i = block(d, i, block, cmd);
          }
          List<String> target = out.subList(start - 1, end);
          target.clear();
          target.addAll(block);
          lastStart = start;
        }
        case 'a' -> {
          if (start < 0 || start > out.size() || start >= lastStart) {
            throw new DirException("consensus diff command out of order or range: " + cmd);
          }
          List<String> block = new ArrayList<>();
          i = block(d, i, block, cmd);
          out.addAll(start, block);
          lastStart = start + 1;
        }
        default -> throw new DirException("unsupported consensus diff command: " + cmd);
      }
      if (out.size() > MAX_LINES) {
        throw new DirException("consensus diff result too large");
      }
    }
    String result = String.join("\n", out) + "\n";
    if (!fullDigest(result).equals(hash[2].toUpperCase(Locale.ROOT))) {
      throw new DirException("consensus diff result has the wrong digest");
    }
    return result;
  }

  /** Reads a block of lines up to a line holding only "."; returns the index after it. */
  private static int block(List<String> d, int i, List<String> into, String cmd)
      throws DirException {
    while (i < d.size()) {
      String l = d.get(i++);
      if (l.equals(".")) {
        return i;
      }
      into.add(l);
    }
    throw new DirException("unterminated block after " + cmd);
  }

  private static int number(String s, String cmd) throws DirException {
    if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new DirException("bad consensus diff command: " + cmd);
    }
    return Integer.parseInt(s);
  }

  private static boolean hex64(String s) {
    return s.length() == 64 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
  }

  /** The document's lines; it must end with a newline (the last one is not an empty line). */
  private static List<String> lines(String text) throws DirException {
    if (!text.endsWith("\n")) {
      throw new DirException("document does not end with a newline");
    }
    String[] ls = text.substring(0, text.length() - 1).split("\n", -1);
    if (ls.length > MAX_LINES) {
      throw new DirException("document has too many lines");
    }
    return new ArrayList<>(Arrays.asList(ls));
  }
}
