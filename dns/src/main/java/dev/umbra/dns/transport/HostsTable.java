package dev.umbra.dns.transport;

import dev.umbra.core.net.Destination;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Names to addresses from hosts files ("address name..." lines) and predefined entries. */
public final class HostsTable {
  private final Map<String, List<InetAddress>> entries = new LinkedHashMap<>();

  public static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") && n.length() > 1 ? n.substring(0, n.length() - 1) : n;
  }

  public void add(String name, InetAddress address) {
    List<InetAddress> list = entries.computeIfAbsent(normalize(name), k -> new ArrayList<>());
    if (!list.contains(address)) {
      list.add(address);
    }
  }

  /** Reads a hosts file; malformed lines are skipped, as the C library does. */
  public void load(Path file) throws IOException {
    for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int hash = raw.indexOf('#');
      String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\\s+");
      String a = f[0];
      int zone = a.indexOf('%');
      InetAddress address = Destination.IpLiterals.parse(zone >= 0 ? a.substring(0, zone) : a);
      if (address == null) {
        continue;
      }
      for (int i = 1; i < f.length; i++) {
        add(f[i], address);
      }
    }
  }

  /** The addresses of a name, or null when the name is not listed. */
  public List<InetAddress> lookup(String name) {
    List<InetAddress> l = entries.get(normalize(name));
    return l == null ? null : List.copyOf(l);
  }

  public int size() {
    return entries.size();
  }
}
