package dev.umbra.dns.transport;

import java.io.Closeable;
import java.io.IOException;
import org.xbill.DNS.Message;

/** One configured DNS server: sends a query, returns the upstream's answer (same ID). */
public interface DnsTransport extends Closeable {
  String tag();

  String type();

  /** Never returns a response to another question or with another ID. */
  Message exchange(Message query) throws IOException;

  @Override
  default void close() throws IOException {}
}
