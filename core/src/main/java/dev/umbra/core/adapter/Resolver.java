package dev.umbra.core.adapter;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/** Turns a domain into addresses. The system resolver until the DNS module provides its own. */
public interface Resolver {
  List<InetAddress> resolve(String domain) throws IOException;
}
