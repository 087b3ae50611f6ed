package dev.umbra.tor.dir;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Splits a directory document (dir-spec "netdoc" meta-format) into items: a keyword line with
 * arguments and an optional PEM-like object. Keeps each item's start offset so callers can find
 * signed ranges.
 */
final class DocReader {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
  static final int MAX_ITEMS = 200_000;

  /** One item: keyword, arguments, object (type and decoded bytes, or null), offset in the text. */
  @SuppressWarnings("ArrayRecordComponent")
  record Item(String keyword, List<String> args, String objectType, byte[] object, int offset) {
    String arg(int i) throws DirException {
      if (i >= args.size()) {
        throw new DirException(keyword + ": missing argument " + (i + 1));
      }
      return args.get(i);
    }
  }

  private DocReader() {}

  static List<Item> items(String text) throws DirException {
    List<Item> out = new ArrayList<>();
    int pos = 0;
    int len = text.length();
    while (pos < len) {
      int eol = text.indexOf('\n', pos);
      if (eol < 0) {
        eol = len;
      }
      String line = text.substring(pos, eol);
      int start = pos;
      pos = Math.min(len, eol + 1);
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("-----")) {
        throw new DirException("object without a keyword line at offset " + start);
      }
      String[] parts = line.trim().split("[ \t]+");
      String kw = parts[0];
      if (kw.startsWith("opt") && parts.length > 1 && kw.equals("opt")) {
        kw = parts[1];
        parts = java.util.Arrays.copyOfRange(parts, 1, parts.length);
      }
      List<String> args = List.of(parts).subList(1, parts.length);
      String objType = null;
      byte[] obj = null;
      if (pos < len && text.startsWith("-----BEGIN ", pos)) {
        int bEol = text.indexOf('\n', pos);
        if (bEol < 0) {
          throw new DirException("unterminated object after " + kw);
        }
        String begin = text.substring(pos, bEol).trim();
        if (!begin.endsWith("-----")) {
          throw new DirException("bad object header after " + kw);
        }
        objType = begin.substring("-----BEGIN ".length(), begin.length() - 5);
        String endMarker = "-----END " + objType + "-----";
        int end = text.indexOf(endMarker, bEol);
        if (end < 0) {
          throw new DirException("object " + objType + " not terminated");
        }
        String b64 = text.substring(bEol + 1, end).replaceAll("\\s", "");
        try {
          obj = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
          throw new DirException("bad base64 in object " + objType);
        }
        int after = text.indexOf('\n', end);
        pos = after < 0 ? len : after + 1;
      }
      out.add(new Item(kw, args, objType, obj, start));
      if (out.size() > MAX_ITEMS) {
        throw new DirException("document has too many items");
      }
    }
    return out;
  }

  static Instant time(Item it) throws DirException {
    return time(it.arg(0), it.arg(1));
  }

  static Instant time(String date, String time) throws DirException {
    try {
      return LocalDateTime.parse(date + " " + time, TIME).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new DirException("bad time: " + date + " " + time);
    }
  }

  /** Base64 that may lack its padding (Tor drops '=' in many places). */
  static byte[] base64(String s) throws DirException {
    try {
      String t = s.replace("=", "");
      return Base64.getDecoder().decode(t + "===".substring(0, (4 - t.length() % 4) % 4));
    } catch (IllegalArgumentException e) {
      throw new DirException("bad base64: " + s);
    }
  }

  static byte[] hex(String s) throws DirException {
    try {
      return java.util.HexFormat.of().parseHex(s);
    } catch (IllegalArgumentException e) {
      throw new DirException("bad hex: " + s);
    }
  }
}
