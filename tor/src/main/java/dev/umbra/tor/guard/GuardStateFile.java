package dev.umbra.tor.guard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guard part of the data directory's {@code state} file, in C tor's format (guard-spec A.5):
 * one {@code Guard in=default rsa_id=HEX sampled_on=... listed=1 confirmed_idx=N ...} line per
 * sampled guard, in sample order. Reading is forgiving: a damaged line is skipped with a log line,
 * an unreadable file leaves an empty sample (the damaged file is kept aside as {@code
 * state.corrupt}). Writing is atomic (temp file, then rename).
 */
public final class GuardStateFile {
  private static final Logger LOG = LoggerFactory.getLogger(GuardStateFile.class);
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT);
  static final int MAX_GUARDS = 1000;
  private static final Set<String> KNOWN =
      Set.of(
          "in",
          "rsa_id",
          "nickname",
          "sampled_on",
          "sampled_by",
          "unlisted_since",
          "listed",
          "confirmed_on",
          "confirmed_idx");

  /** What a state file held: the sample in sample order, and the confirmed ones in their order. */
  record Loaded(List<SampledGuard> sampled, List<SampledGuard> confirmed) {}

  private final Path file;

  public GuardStateFile(Path file) {
    this.file = file;
  }

  Loaded load() {
    if (file == null || !Files.exists(file)) {
      return new Loaded(List.of(), List.of());
    }
    try {
      return parse(Files.readString(file, StandardCharsets.ISO_8859_1));
    } catch (IOException | RuntimeException e) {
      LOG.warn("guard state {} unreadable ({}); starting with an empty sample", file, e.toString());
      try {
        Files.copy(
            file,
            file.resolveSibling(file.getFileName() + ".corrupt"),
            StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException ignored) {
        LOG.debug("could not keep a copy of the damaged state file: {}", ignored.toString());
      }
      return new Loaded(List.of(), List.of());
    }
  }

  static Loaded parse(String text) {
    List<SampledGuard> sampled = new ArrayList<>();
    List<Object[]> confirmedIdx = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      String l = line.strip();
      if (!l.startsWith("Guard ")) {
        continue; // comments and entries of other subsystems
      }
      try {
        SampledGuard g = null;
        Integer idx = null;
        List<String[]> kvs = new ArrayList<>();
        for (String tok : l.substring(6).trim().split("\\s+", -1)) {
          int eq = tok.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("not K=V: " + tok);
          }
          kvs.add(new String[] {tok.substring(0, eq), tok.substring(eq + 1)});
        }
        String in = null;
        for (String[] kv : kvs) {
          if (kv[0].equals("rsa_id")) {
            String fp = kv[1].toUpperCase(Locale.ROOT);
            if (!fp.matches("[0-9A-F]{40}")) {
              throw new IllegalArgumentException("bad rsa_id " + kv[1]);
            }
            g = new SampledGuard(fp);
          } else if (kv[0].equals("in")) {
            in = kv[1];
          }
        }
        if (g == null || !"default".equals(in)) {
          if (g == null) {
            throw new IllegalArgumentException("no rsa_id");
          }
          continue; // bridges and other guard-state instances are not ours
        }
        boolean listedSeen = false;
        for (String[] kv : kvs) {
          switch (kv[0]) {
            case "nickname" -> g.nickname = kv[1];
            case "sampled_on" -> g.sampledOn = time(kv[1]);
            case "sampled_by" -> g.sampledBy = kv[1];
            case "unlisted_since" -> g.unlistedSince = time(kv[1]);
            case "listed" -> {
              g.listed =
                  switch (kv[1]) {
                    case "1" -> true;
                    case "0" -> false;
                    default -> throw new IllegalArgumentException("bad listed=" + kv[1]);
                  };
              listedSeen = true;
            }
            case "confirmed_on" -> g.confirmedOn = time(kv[1]);
            case "confirmed_idx" -> idx = Integer.parseInt(kv[1]);
            default -> {
              if (!KNOWN.contains(kv[0])) {
                g.unknown.put(kv[0], kv[1]);
              }
            }
          }
        }
        if (g.sampledOn == null || !listedSeen) {
          throw new IllegalArgumentException("sampled_on and listed are required");
        }
        if (!seen.add(g.fingerprint)) {
          throw new IllegalArgumentException("duplicate guard " + g.fingerprint);
        }
        if (sampled.size() >= MAX_GUARDS) {
          LOG.warn("guard state lists more than {} guards; ignoring the rest", MAX_GUARDS);
          break;
        }
        sampled.add(g);
        if (g.confirmedOn != null) {
          confirmedIdx.add(new Object[] {idx == null ? Integer.MAX_VALUE : idx, g});
        }
      } catch (RuntimeException e) {
        LOG.warn("guard state line {} skipped: {}", lineNo, e.getMessage());
      }
    }
    confirmedIdx.sort(Comparator.comparingInt(o -> (Integer) o[0]));
    List<SampledGuard> confirmed = new ArrayList<>();
    for (Object[] o : confirmedIdx) {
      confirmed.add((SampledGuard) o[1]);
    }
    return new Loaded(sampled, confirmed);
  }

  void save(List<SampledGuard> sampled, List<SampledGuard> confirmed) {
    if (file == null) {
      return;
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, format(sampled, confirmed), StandardCharsets.ISO_8859_1);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("could not save guard state {}: {}", file, e.toString());
    }
  }

  static String format(List<SampledGuard> sampled, List<SampledGuard> confirmed) {
    StringBuilder b = new StringBuilder("# Umbra Tor client state (guard-spec A.5 format)\n");
    for (SampledGuard g : sampled) {
      b.append("Guard in=default rsa_id=").append(g.fingerprint);
      if (g.nickname != null && g.nickname.matches("[A-Za-z0-9]{1,19}")) {
        b.append(" nickname=").append(g.nickname);
      }
      b.append(" sampled_on=").append(time(g.sampledOn));
      if (g.sampledBy != null) {
        b.append(" sampled_by=").append(g.sampledBy);
      }
      if (!g.listed && g.unlistedSince != null) {
        b.append(" unlisted_since=").append(time(g.unlistedSince));
      }
      b.append(" listed=").append(g.listed ? 1 : 0);
      int idx = confirmed.indexOf(g);
      if (idx >= 0 && g.confirmedOn != null) {
        b.append(" confirmed_on=").append(time(g.confirmedOn));
        b.append(" confirmed_idx=").append(idx);
      }
      g.unknown.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
      b.append('\n');
    }
    return b.toString();
  }

  static String time(Instant t) {
    return ISO.format(LocalDateTime.ofInstant(t.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC));
  }

  static Instant time(String s) {
    try {
      return LocalDateTime.parse(s, ISO).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("bad time " + s, e);
    }
  }
}
