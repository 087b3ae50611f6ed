package dev.umbra.core.adapter;

import java.io.IOException;

/**
 * The inbound's side of a connection's set-up: the router calls {@link #succeed} once the
 * connection may carry data (outbound dialed, or before sniffing, which needs the client's first
 * bytes), or {@link #fail} when it is rejected or the dial fails. At most one of them is called, at
 * most once.
 */
public interface Handshake {
  /** Tell the client it may send data (SOCKS reply 0, HTTP 200 Connection established). */
  void succeed() throws IOException;

  /** Tell the client why it failed (SOCKS reply code, HTTP 502/403), if the protocol can. */
  void fail(Exception cause) throws IOException;

  /** For inbounds with nothing to answer (direct, transparent). */
  Handshake NONE =
      new Handshake() {
        @Override
        public void succeed() {}

        @Override
        public void fail(Exception cause) {}
      };
}
