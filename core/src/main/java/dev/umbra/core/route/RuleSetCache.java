package dev.umbra.core.route;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Properties;

/**
 * The on-disk copy of a remote rule-set under the working directory ({@code
 * cache/rule-set/<tag>.bin} and {@code .meta}), so a restart works offline. The metadata records
 * the URL, the ETag and when the content was last confirmed current.
 */
final class RuleSetCache {
  /** A cached download. */
  // The content array is handed over, never shared further.
  @SuppressWarnings("ArrayRecordComponent")
  record Entry(byte[] content, String url, String etag, Instant lastUpdated) {}

  private final Path content;
  private final Path meta;

  RuleSetCache(Path workingDirectory, String tag) {
    Path dir = workingDirectory.resolve("cache").resolve("rule-set");
    // The prefix keeps tags such as ".." from naming anything but a file in this directory.
    String name = "rs-" + URLEncoder.encode(tag, StandardCharsets.UTF_8);
    this.content = dir.resolve(name + ".bin");
    this.meta = dir.resolve(name + ".meta");
  }

  Path contentPath() {
    return content;
  }

  /** The cached entry, or null if there is none or it cannot be read. */
  Entry load() throws IOException {
    if (!Files.isRegularFile(content) || !Files.isRegularFile(meta)) {
      return null;
    }
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(meta, StandardCharsets.UTF_8)));
    String updated = p.getProperty("last_updated");
    Instant last;
    try {
      last = updated == null ? Instant.EPOCH : Instant.ofEpochMilli(Long.parseLong(updated));
    } catch (NumberFormatException e) {
      last = Instant.EPOCH;
    }
    return new Entry(
        Files.readAllBytes(content), p.getProperty("url"), p.getProperty("etag"), last);
  }

  void save(Entry e) throws IOException {
    Files.createDirectories(content.getParent());
    if (e.content() != null) {
      replace(content, e.content());
    }
    Properties p = new Properties();
    p.setProperty("url", e.url());
    if (e.etag() != null) {
      p.setProperty("etag", e.etag());
    }
    p.setProperty("last_updated", Long.toString(e.lastUpdated().toEpochMilli()));
    StringWriter w = new StringWriter();
    p.store(w, null);
    replace(meta, w.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Write then rename, so a crash never leaves a half-written file in place. */
  private static void replace(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    try {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
