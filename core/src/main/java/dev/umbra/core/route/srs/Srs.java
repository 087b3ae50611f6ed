package dev.umbra.core.route.srs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * sing-box's binary rule-set format ({@code .srs}): the magic {@code "SRS"}, a version byte, then a
 * zlib stream holding a uvarint rule count and the rules. The body layout follows sing-box's {@code
 * common/srs} byte for byte; the zlib stream is the JDK's (any valid zlib stream reads the same,
 * though its compressed bytes differ from Go's compressor).
 */
public final class Srs {
  private Srs() {}

  static final byte[] MAGIC = {'S', 'R', 'S'};

  /** Largest decompressed body we accept; guards against zlib bombs. */
  public static final int MAX_BODY_BYTES = 128 << 20;

  /** Deepest nesting of logical rules we accept. */
  static final int MAX_DEPTH = 32;

  static final int QUERY_TYPE = 0;
  static final int NETWORK = 1;
  static final int DOMAIN = 2;
  static final int DOMAIN_KEYWORD = 3;
  static final int DOMAIN_REGEX = 4;
  static final int SOURCE_IP_CIDR = 5;
  static final int IP_CIDR = 6;
  static final int SOURCE_PORT = 7;
  static final int SOURCE_PORT_RANGE = 8;
  static final int PORT = 9;
  static final int PORT_RANGE = 10;
  static final int PROCESS_NAME = 11;
  static final int PROCESS_PATH = 12;
  static final int PACKAGE_NAME = 13;
  static final int WIFI_SSID = 14;
  static final int WIFI_BSSID = 15;
  static final int ADGUARD_DOMAIN = 16;
  static final int PROCESS_PATH_REGEX = 17;
  static final int NETWORK_TYPE = 18;
  static final int NETWORK_IS_EXPENSIVE = 19;
  static final int NETWORK_IS_CONSTRAINED = 20;
  static final int NETWORK_INTERFACE_ADDRESS = 21;
  static final int DEFAULT_INTERFACE_ADDRESS = 22;
  static final int FINAL = 0xFF;

  /** Reads a whole {@code .srs} file. */
  public static RuleSetFile read(byte[] file) throws SrsFormatException {
    return read(file, MAX_BODY_BYTES);
  }

  static RuleSetFile read(byte[] file, int maxBody) throws SrsFormatException {
    if (file.length < 4 || file[0] != 'S' || file[1] != 'R' || file[2] != 'S') {
      throw new SrsFormatException("not a sing-box rule-set file (bad magic)");
    }
    int version = file[3] & 0xff;
    if (version < 1 || version > RuleSetFile.MAX_VERSION) {
      throw new SrsFormatException("unsupported rule-set version " + version);
    }
    return decodeBody(version, inflate(file, 4, maxBody));
  }

  /** For callers holding bytes they produced themselves: a format error is a bug. */
  static RuleSetFile readUnchecked(byte[] file) {
    try {
      return read(file);
    } catch (SrsFormatException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a {@code .srs} file from a stream, at most {@code maxBytes} of it. */
  public static RuleSetFile read(InputStream in, int maxBytes) throws IOException {
    byte[] data = in.readNBytes(maxBytes + 1);
    if (data.length > maxBytes) {
      throw new SrsFormatException("rule-set file larger than " + maxBytes + " bytes");
    }
    return read(data);
  }

  public static byte[] write(RuleSetFile file) {
    byte[] body = encodeBody(file);
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 2 + 64);
    out.write(MAGIC, 0, 3);
    out.write(file.version());
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
    try {
      d.setInput(body);
      d.finish();
      byte[] buf = new byte[8192];
      while (!d.finished()) {
        int n = d.deflate(buf);
        out.write(buf, 0, n);
      }
    } finally {
      d.end();
    }
    return out.toByteArray();
  }

  private static byte[] inflate(byte[] file, int offset, int maxBody) throws SrsFormatException {
    Inflater inf = new Inflater();
    try {
      inf.setInput(file, offset, file.length - offset);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[16384];
      while (!inf.finished()) {
        int n = inf.inflate(buf);
        if (n == 0) {
          if (inf.needsInput()) {
            throw new SrsFormatException("truncated compressed rule-set data");
          }
          if (inf.needsDictionary()) {
            throw new SrsFormatException("compressed rule-set data needs a preset dictionary");
          }
        }
        if (out.size() + n > maxBody) {
          throw new SrsFormatException("rule-set decompresses to more than " + maxBody + " bytes");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new SrsFormatException("corrupt compressed rule-set data: " + e.getMessage(), e);
    } finally {
      inf.end();
    }
  }

  /** Decodes the decompressed body: uvarint rule count, rules. */
  public static RuleSetFile decodeBody(int version, byte[] body) throws SrsFormatException {
    ByteReader in = new ByteReader(body);
    // Each rule takes at least 3 bytes (type, final marker, invert).
    int n = in.count(3);
    List<SrsRule> rules = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      try {
        rules.add(readRule(in, 0));
      } catch (SrsFormatException e) {
        throw new SrsFormatException("rules[" + i + "]: " + e.getMessage(), e);
      }
    }
    return new RuleSetFile(version, rules);
  }

  /** Encodes the body that {@link #write} compresses. */
  public static byte[] encodeBody(RuleSetFile file) {
    ByteWriter out = new ByteWriter();
    out.uvarint(file.rules().size());
    for (int i = 0; i < file.rules().size(); i++) {
      try {
        writeRule(out, file.rules().get(i), file.version());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("rules[" + i + "]: " + e.getMessage(), e);
      }
    }
    return out.toByteArray();
  }

  private static SrsRule readRule(ByteReader in, int depth) throws SrsFormatException {
    int type = in.u8();
    return switch (type) {
      case 0 -> readDefault(in);
      case 1 -> readLogical(in, depth);
      default -> throw new SrsFormatException("unknown rule type " + type);
    };
  }

  private static SrsRule.Logical readLogical(ByteReader in, int depth) throws SrsFormatException {
    if (depth >= MAX_DEPTH) {
      throw new SrsFormatException("logical rules nested deeper than " + MAX_DEPTH);
    }
    int mode = in.u8();
    if (mode > 1) {
      throw new SrsFormatException("unknown logical mode " + mode);
    }
    int n = in.count(3);
    List<SrsRule> rules = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      try {
        rules.add(readRule(in, depth + 1));
      } catch (SrsFormatException e) {
        throw new SrsFormatException("rules[" + i + "]: " + e.getMessage(), e);
      }
    }
    boolean invert = in.u8() != 0;
    return new SrsRule.Logical(mode == 0, rules, invert);
  }

  private static SrsRule.Default readDefault(ByteReader in) throws SrsFormatException {
    RuleBuilder b = new RuleBuilder();
    int last = -1;
    while (true) {
      int item = in.u8();
      try {
        switch (item) {
          case QUERY_TYPE -> b.queryType = readUint16s(in);
          case NETWORK -> b.network = readStrings(in);
          case DOMAIN -> b.domain = DomainMatcher.read(in);
          case DOMAIN_KEYWORD -> b.domainKeyword = readStrings(in);
          case DOMAIN_REGEX -> b.domainRegex = readStrings(in);
          case SOURCE_IP_CIDR -> b.sourceIpCidr = IpSet.read(in);
          case IP_CIDR -> b.ipCidr = IpSet.read(in);
          case SOURCE_PORT -> b.sourcePort = readUint16s(in);
          case SOURCE_PORT_RANGE -> b.sourcePortRange = readStrings(in);
          case PORT -> b.port = readUint16s(in);
          case PORT_RANGE -> b.portRange = readStrings(in);
          case PROCESS_NAME -> b.processName = readStrings(in);
          case PROCESS_PATH -> b.processPath = readStrings(in);
          case PROCESS_PATH_REGEX -> b.processPathRegex = readStrings(in);
          case PACKAGE_NAME -> b.packageName = readStrings(in);
          case WIFI_SSID -> b.wifiSsid = readStrings(in);
          case WIFI_BSSID -> b.wifiBssid = readStrings(in);
          case ADGUARD_DOMAIN -> b.adGuardDomain = DomainMatcher.read(in);
          case NETWORK_TYPE -> {
            int n = in.count(1);
            List<Integer> types = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
              types.add(in.u8());
            }
            b.networkType = types;
          }
          case NETWORK_IS_EXPENSIVE -> b.networkIsExpensive = true;
          case NETWORK_IS_CONSTRAINED -> b.networkIsConstrained = true;
          case NETWORK_INTERFACE_ADDRESS -> {
            int n = in.count(2);
            List<SrsRule.InterfaceAddresses> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
              int key = in.u8();
              entries.add(new SrsRule.InterfaceAddresses(key, readPrefixes(in)));
            }
            b.networkInterfaceAddress = entries;
          }
          case DEFAULT_INTERFACE_ADDRESS -> b.defaultInterfaceAddress = readPrefixes(in);
          case FINAL -> {
            return b.build(in.u8() != 0);
          }
          default ->
              throw new SrsFormatException(
                  "unknown rule item type " + item + " (after item type " + last + ")");
        }
      } catch (SrsFormatException e) {
        if (e.getMessage().startsWith("unknown rule item")) {
          throw e;
        }
        throw new SrsFormatException("item type " + item + ": " + e.getMessage(), e);
      }
      last = item;
    }
  }

  private static List<IpPrefix> readPrefixes(ByteReader in) throws SrsFormatException {
    // A prefix takes at least 6 bytes (length, IPv4 address, bits).
    int n = in.count(6);
    List<IpPrefix> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(IpPrefix.read(in));
    }
    return out;
  }

  private static List<String> readStrings(ByteReader in) throws SrsFormatException {
    int n = in.count(1);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new String(in.lengthPrefixed(), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static List<Integer> readUint16s(ByteReader in) throws SrsFormatException {
    int n = in.count(2);
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(in.u16());
    }
    return out;
  }

  private static void writeRule(ByteWriter out, SrsRule rule, int version) {
    switch (rule) {
      case SrsRule.Default d -> writeDefault(out, d, version);
      case SrsRule.Logical l -> {
        out.u8(1);
        out.u8(l.and() ? 0 : 1);
        out.uvarint(l.rules().size());
        for (SrsRule r : l.rules()) {
          writeRule(out, r, version);
        }
        out.u8(l.invert() ? 1 : 0);
      }
    }
  }

  /** Items in sing-box's writing order, so files re-encode to the same bytes. */
  private static void writeDefault(ByteWriter out, SrsRule.Default r, int version) {
    out.u8(0);
    writeUint16s(out, QUERY_TYPE, r.queryType());
    writeStrings(out, NETWORK, r.network());
    if (r.domain() != null) {
      out.u8(DOMAIN);
      r.domain().write(out);
    }
    writeStrings(out, DOMAIN_KEYWORD, r.domainKeyword());
    writeStrings(out, DOMAIN_REGEX, r.domainRegex());
    if (r.sourceIpCidr() != null) {
      out.u8(SOURCE_IP_CIDR);
      r.sourceIpCidr().write(out);
    }
    if (r.ipCidr() != null) {
      out.u8(IP_CIDR);
      r.ipCidr().write(out);
    }
    writeUint16s(out, SOURCE_PORT, r.sourcePort());
    writeStrings(out, SOURCE_PORT_RANGE, r.sourcePortRange());
    writeUint16s(out, PORT, r.port());
    writeStrings(out, PORT_RANGE, r.portRange());
    writeStrings(out, PROCESS_NAME, r.processName());
    writeStrings(out, PROCESS_PATH, r.processPath());
    writeStrings(out, PROCESS_PATH_REGEX, r.processPathRegex());
    writeStrings(out, PACKAGE_NAME, r.packageName());
    if (!r.networkType().isEmpty()) {
      requireVersion(version, 3, "network_type");
      out.u8(NETWORK_TYPE);
      out.uvarint(r.networkType().size());
      r.networkType().forEach(out::u8);
    }
    if (r.networkIsExpensive()) {
      requireVersion(version, 3, "network_is_expensive");
      out.u8(NETWORK_IS_EXPENSIVE);
    }
    if (r.networkIsConstrained()) {
      requireVersion(version, 3, "network_is_constrained");
      out.u8(NETWORK_IS_CONSTRAINED);
    }
    if (!r.networkInterfaceAddress().isEmpty()) {
      requireVersion(version, 4, "network_interface_address");
      out.u8(NETWORK_INTERFACE_ADDRESS);
      out.uvarint(r.networkInterfaceAddress().size());
      for (SrsRule.InterfaceAddresses e : r.networkInterfaceAddress()) {
        out.u8(e.type());
        out.uvarint(e.prefixes().size());
        e.prefixes().forEach(p -> p.write(out));
      }
    }
    if (!r.defaultInterfaceAddress().isEmpty()) {
      requireVersion(version, 4, "default_interface_address");
      out.u8(DEFAULT_INTERFACE_ADDRESS);
      out.uvarint(r.defaultInterfaceAddress().size());
      r.defaultInterfaceAddress().forEach(p -> p.write(out));
    }
    writeStrings(out, WIFI_SSID, r.wifiSsid());
    writeStrings(out, WIFI_BSSID, r.wifiBssid());
    if (r.adGuardDomain() != null) {
      requireVersion(version, 2, "AdGuard domain");
      out.u8(ADGUARD_DOMAIN);
      r.adGuardDomain().write(out);
    }
    out.u8(FINAL);
    out.u8(r.invert() ? 1 : 0);
  }

  private static void requireVersion(int version, int min, String item) {
    if (version < min) {
      throw new IllegalArgumentException(
          "the " + item + " rule item needs rule-set version " + min + " or later");
    }
  }

  private static void writeStrings(ByteWriter out, int item, List<String> values) {
    if (values.isEmpty()) {
      return;
    }
    out.u8(item);
    out.uvarint(values.size());
    for (String s : values) {
      out.lengthPrefixed(s.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void writeUint16s(ByteWriter out, int item, List<Integer> values) {
    if (values.isEmpty()) {
      return;
    }
    out.u8(item);
    out.uvarint(values.size());
    values.forEach(out::u16);
  }
}
