package dev.umbra.proxy.shadowsocks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Reads one client's request from the carrier and sets up the session's streams. */
interface ServerHandshake {
  /**
   * @throws ShadowsocksException for anything a prober could cause (bad tag, replay, bad header)
   */
  ServerRequest accept(InputStream in, OutputStream out) throws IOException;

  static boolean readFully(InputStream in, byte[] b) throws IOException {
    int off = 0;
    while (off < b.length) {
      int n = in.read(b, off, b.length - off);
      if (n < 0) {
        return false;
      }
      off += n;
    }
    return true;
  }
}
