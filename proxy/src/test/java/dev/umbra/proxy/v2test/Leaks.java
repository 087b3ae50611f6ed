package dev.umbra.proxy.v2test;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a closed instance may have left behind: threads by name, TCP connections by port. */
public final class Leaks {
  private Leaks() {}

  /** Names of live threads (platform and virtual, from a full dump) containing {@code part}. */
  public static List<String> threadsNamed(String part) throws IOException {
    Path f = Files.createTempFile("threads", ".txt");
    Files.delete(f);
    try {
      ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .dumpThreads(f.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
      List<String> names = new ArrayList<>();
      for (String line : Files.readAllLines(f)) {
        // "#123 "name" virtual WAITING ..."
        int a = line.indexOf('"');
        int b = line.indexOf('"', a + 1);
        if (line.startsWith("#") && a > 0 && b > a && line.substring(a + 1, b).contains(part)) {
          names.add(line.substring(a + 1, b));
        }
      }
      return names;
    } finally {
      Files.deleteIfExists(f);
    }
  }

  /**
   * TCP connections to or from {@code port} on this host still open (ESTABLISHED or CLOSE_WAIT),
   * the server's end ({@code local}) or the clients' end, from /proc/net/tcp.
   */
  public static List<String> established(int port, boolean local) throws IOException {
    List<String> open = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.exists(p)) {
        continue;
      }
      for (String line : Files.readAllLines(p)) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 4 || !f[1].contains(":")) {
          continue;
        }
        String mine = local ? f[1] : f[2];
        int p2 = Integer.parseInt(mine.substring(mine.indexOf(':') + 1), 16);
        if (p2 == port && (f[3].equals("01") || f[3].equals("08"))) {
          open.add(line.trim());
        }
      }
    }
    return open;
  }
}
