package dev.umbra.core.config;

import java.time.Duration;

/**
 * Go's duration syntax as sing-box reads it: a sequence of decimal numbers with units {@code ns us
 * µs ms s m h d}, e.g. {@code "1h30m"}, {@code "300ms"}, {@code "1.5s"}, {@code "1d"}; an optional
 * leading sign; {@code "0"} alone.
 */
public final class GoDuration {
  private GoDuration() {}

  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    String s = text;
    boolean negative = false;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw invalid(text);
    }
    long nanos = 0;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (start == i) {
        throw invalid(text);
      }
      String number = s.substring(start, i);
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      long unitNanos =
          switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            default -> throw invalid(text);
          };
      java.math.BigDecimal value;
      try {
        value = new java.math.BigDecimal(number);
      } catch (NumberFormatException e) {
        throw invalid(text);
      }
      java.math.BigDecimal part = value.multiply(java.math.BigDecimal.valueOf(unitNanos));
      try {
        nanos = Math.addExact(nanos, part.longValue());
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("duration out of range: " + text, e);
      }
      if (part.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
        throw new IllegalArgumentException("duration out of range: " + text);
      }
    }
    return Duration.ofNanos(negative ? -nanos : nanos);
  }

  /** Formats like Go's {@code time.Duration.String} for whole units: {@code 1h30m0s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    long total = d.toNanos();
    if (total < 0) {
      b.append('-');
      total = -total;
    }
    if (total < 1_000_000_000L) {
      if (total % 1_000_000L == 0) {
        return b.append(total / 1_000_000L).append("ms").toString();
      }
      return b.append(total).append("ns").toString();
    }
    long h = total / 3_600_000_000_000L;
    long m = (total / 60_000_000_000L) % 60;
    double sec = (total % 60_000_000_000L) / 1e9;
    if (h > 0) {
      b.append(h).append('h');
    }
    if (h > 0 || m > 0) {
      b.append(m).append('m');
    }
    if (sec == Math.rint(sec)) {
      b.append((long) sec);
    } else {
      b.append(sec);
    }
    return b.append('s').toString();
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "invalid duration '" + text + "' (expected Go syntax such as \"30s\", \"1h30m\", \"1d\")");
  }
}
