package dev.umbra.dns.message;

/**
 * What a peer may make us parse: the message size, and record counts per section and in total
 * (checked on the header before any record is read, so a lying header costs nothing).
 */
public record DnsLimits(int maxMessageSize, int maxRecordsPerSection, int maxTotalRecords) {

  /** Any message over TCP or HTTP: the 16-bit length prefix bounds it anyway. */
  public static final DnsLimits DEFAULT = new DnsLimits(65_535, 1_024, 2_048);

  /** A query from a client: one question and at most a few EDNS records. */
  public static final DnsLimits QUERY = new DnsLimits(4_096, 8, 16);

  public DnsLimits {
    if (maxMessageSize < DnsCodec.HEADER_SIZE || maxMessageSize > 65_535) {
      throw new IllegalArgumentException("maxMessageSize out of range: " + maxMessageSize);
    }
  }
}
