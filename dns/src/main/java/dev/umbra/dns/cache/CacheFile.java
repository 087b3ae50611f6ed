package dev.umbra.dns.cache;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code experimental.cache_file}: FakeIP mappings and the rejected-response cache, kept across
 * restarts. sing-box keeps these in a bbolt database; Umbra's file is its own format (not readable
 * by sing-box): a magic line, then length- and CRC-framed records appended as entries change. A
 * torn or corrupt tail (a crash mid-write) is dropped at open. The file is rewritten from memory
 * (temporary file, fsync, atomic rename) at open and whenever the appended part outgrows the last
 * snapshot, so its size stays bounded by the live entries, which are bounded themselves.
 */
public final class CacheFile implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(CacheFile.class);
  static final byte[] MAGIC = "UMBRA-CACHE-1\n".getBytes(StandardCharsets.US_ASCII);
  static final int MAX_RECORD = 4096;

  /** A FakeIP server holds at most 65,536 addresses per family (FakeIpPool). */
  static final int MAX_FAKEIP_PER_SERVER = 2 * 65_536;

  static final int MAX_RDRC = 65_536;
  static final long MAX_FILE = 256L << 20;
  static final long COMPACT_MIN = 1L << 20;

  private record RdrcKey(String server, String name, int type) {}

  private static final class FakeIpScope {
    final String inet4;
    final String inet6;
    final LinkedHashMap<InetAddress, String> entries = new LinkedHashMap<>();

    FakeIpScope(String inet4, String inet6) {
      this.inet4 = inet4;
      this.inet6 = inet6;
    }
  }

  private final Path path;
  private final String cacheId;
  private final Map<String, Map<String, FakeIpScope>> fakeIp = new HashMap<>();
  private final Map<String, LinkedHashMap<RdrcKey, Long>> rdrc = new HashMap<>();
  private final FileChannel lockChannel;
  private final FileLock lock;
  private FileChannel log;
  private long appended;
  private long snapshotSize;
  private boolean closed;

  private CacheFile(Path path, String cacheId, FileChannel lockChannel, FileLock lock) {
    this.path = path;
    this.cacheId = cacheId == null ? "" : cacheId;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Opens (or creates) the file; fails if another process holds it. */
  public static CacheFile open(Path path, String cacheId) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path lockPath = path.resolveSibling(path.getFileName() + ".lock");
    FileChannel lc =
        FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = lc.tryLock();
    } catch (IOException | RuntimeException e) {
      lc.close();
      throw e;
    }
    if (l == null) {
      lc.close();
      throw new IOException("cache file " + path + " is in use by another process");
    }
    CacheFile c = new CacheFile(path, cacheId, lc, l);
    try {
      c.load();
      c.compact();
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private void load() throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    long size = Files.size(path);
    byte[] all = size > MAX_FILE ? new byte[0] : Files.readAllBytes(path);
    if (all.length < MAGIC.length || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      Path aside = path.resolveSibling(path.getFileName() + ".bak");
      LOG.warn(
          "cache file {} is not an Umbra cache file (a sing-box bbolt file?); moved to {}",
          path,
          aside);
      Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(all, MAGIC.length, all.length - MAGIC.length);
    int records = 0;
    while (b.remaining() > 0) {
      int at = b.position();
      CacheRecord r = readFrame(b);
      if (r == null) {
        LOG.warn(
            "cache file {}: dropping {} bytes of a torn or corrupt tail at offset {}",
            path,
            all.length - at,
            at);
        break;
      }
      apply(r);
      records++;
    }
    LOG.debug("cache file {}: {} records", path, records);
  }

  /** One framed record, or null if the frame is truncated or corrupt. */
  static CacheRecord readFrame(ByteBuffer b) {
    if (b.remaining() < 8) {
      return null;
    }
    int len = b.getInt();
    int crc = b.getInt();
    if (len <= 0 || len > MAX_RECORD || len > b.remaining()) {
      return null;
    }
    byte[] payload = new byte[len];
    b.get(payload);
    CRC32C c = new CRC32C();
    c.update(payload);
    if ((int) c.getValue() != crc) {
      return null;
    }
    try {
      return CacheRecord.decode(payload);
    } catch (IOException e) {
      return null;
    }
  }

  static byte[] frame(CacheRecord r) {
    byte[] payload = CacheRecord.encode(r);
    CRC32C c = new CRC32C();
    c.update(payload);
    ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
    b.putInt(payload.length).putInt((int) c.getValue()).put(payload);
    return b.array();
  }

  private void apply(CacheRecord r) {
    switch (r) {
      case CacheRecord.FakeIpRanges f -> {
        Map<String, FakeIpScope> servers =
            fakeIp.computeIfAbsent(f.cacheId(), k -> new HashMap<>());
        FakeIpScope s = servers.get(f.server());
        if (s == null || !s.inet4.equals(f.inet4()) || !s.inet6.equals(f.inet6())) {
          servers.put(f.server(), new FakeIpScope(f.inet4(), f.inet6()));
        }
      }
      case CacheRecord.FakeIp f -> {
        FakeIpScope s =
            fakeIp
                .computeIfAbsent(f.cacheId(), k -> new HashMap<>())
                .computeIfAbsent(f.server(), k -> new FakeIpScope("", ""));
        s.entries.remove(f.address());
        s.entries.put(f.address(), f.domain());
        trim(s.entries, MAX_FAKEIP_PER_SERVER);
      }
      case CacheRecord.Rdrc d -> {
        LinkedHashMap<RdrcKey, Long> m =
            rdrc.computeIfAbsent(d.cacheId(), k -> new LinkedHashMap<>());
        RdrcKey k = new RdrcKey(d.server(), d.name(), d.type());
        m.remove(k);
        if (d.expiresMillis() > System.currentTimeMillis()) {
          m.put(k, d.expiresMillis());
          trim(m, MAX_RDRC);
        }
      }
    }
  }

  private static void trim(LinkedHashMap<?, ?> m, int max) {
    Iterator<?> it = m.keySet().iterator();
    while (m.size() > max && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  /** Rewrites the file from memory: temporary file, fsync, atomic rename; then appends to it. */
  private void compact() throws IOException {
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    long now = System.currentTimeMillis();
    try (FileChannel out =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      buf.put(MAGIC);
      for (var id : fakeIp.entrySet()) {
        for (var server : id.getValue().entrySet()) {
          FakeIpScope s = server.getValue();
          buf =
              put(
                  out,
                  buf,
                  new CacheRecord.FakeIpRanges(id.getKey(), server.getKey(), s.inet4, s.inet6));
          for (var e : s.entries.entrySet()) {
            buf =
                put(
                    out,
                    buf,
                    new CacheRecord.FakeIp(id.getKey(), server.getKey(), e.getKey(), e.getValue()));
          }
        }
      }
      for (var id : rdrc.entrySet()) {
        for (var e : id.getValue().entrySet()) {
          if (e.getValue() > now) {
            RdrcKey k = e.getKey();
            buf =
                put(
                    out,
                    buf,
                    new CacheRecord.Rdrc(
                        id.getKey(), k.server(), k.name(), k.type(), e.getValue()));
          }
        }
      }
      buf.flip();
      while (buf.hasRemaining()) {
        out.write(buf);
      }
      out.force(true);
    }
    if (log != null) {
      log.close();
    }
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    log = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    snapshotSize = log.size();
    appended = 0;
  }

  private static ByteBuffer put(FileChannel out, ByteBuffer buf, CacheRecord r) throws IOException {
    byte[] f = frame(r);
    if (buf.remaining() < f.length) {
      buf.flip();
      while (buf.hasRemaining()) {
        out.write(buf);
      }
      buf.clear();
    }
    return buf.put(f);
  }

  private void append(CacheRecord r) {
    if (closed) {
      return;
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(frame(r));
      while (b.hasRemaining()) {
        appended += log.write(b);
      }
      if (appended > Math.max(COMPACT_MIN, snapshotSize)) {
        compact();
      }
    } catch (IOException e) {
      LOG.warn("cache file {}: write failed: {}", path, e.toString());
    }
  }

  // ---- FakeIP ----

  /**
   * The stored mappings of a fakeip server, oldest first. If its ranges changed since they were
   * written, they are dropped (as sing-box drops its FakeIP state) and the new ranges recorded.
   */
  public synchronized List<Map.Entry<InetAddress, String>> fakeIpEntries(
      String server, String inet4, String inet6) {
    String v4 = inet4 == null ? "" : inet4;
    String v6 = inet6 == null ? "" : inet6;
    Map<String, FakeIpScope> servers = fakeIp.computeIfAbsent(cacheId, k -> new HashMap<>());
    FakeIpScope s = servers.get(server);
    if (s == null || !s.inet4.equals(v4) || !s.inet6.equals(v6)) {
      CacheRecord r = new CacheRecord.FakeIpRanges(cacheId, server, v4, v6);
      apply(r);
      append(r);
      return List.of();
    }
    return List.copyOf(new ArrayList<>(s.entries.entrySet()));
  }

  public synchronized void saveFakeIp(String server, InetAddress address, String domain) {
    CacheRecord r = new CacheRecord.FakeIp(cacheId, server, address, domain);
    apply(r);
    append(r);
  }

  // ---- rejected-response cache ----

  public synchronized boolean isRejected(String server, String name, int type) {
    LinkedHashMap<RdrcKey, Long> m = rdrc.get(cacheId);
    if (m == null) {
      return false;
    }
    RdrcKey k = new RdrcKey(server, name.toLowerCase(Locale.ROOT), type);
    Long expires = m.get(k);
    if (expires == null) {
      return false;
    }
    if (expires <= System.currentTimeMillis()) {
      m.remove(k);
      return false;
    }
    return true;
  }

  public synchronized void reject(String server, String name, int type, long timeoutMillis) {
    CacheRecord r =
        new CacheRecord.Rdrc(
            cacheId,
            server,
            name.toLowerCase(Locale.ROOT),
            type,
            System.currentTimeMillis() + timeoutMillis);
    apply(r);
    append(r);
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (log != null) {
        log.force(true);
        log.close();
      }
    } finally {
      try {
        lock.release();
      } finally {
        lockChannel.close();
      }
    }
  }
}
