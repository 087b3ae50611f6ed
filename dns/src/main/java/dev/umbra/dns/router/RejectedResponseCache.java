package dev.umbra.dns.router;

import org.xbill.DNS.Name;

/**
 * sing-box's RDRC: which (server, name, type) answers an address rule rejected recently, so the
 * router skips that server for the name until the entry expires.
 */
public interface RejectedResponseCache {
  boolean isRejected(String server, Name name, int type);

  void reject(String server, Name name, int type);
}
