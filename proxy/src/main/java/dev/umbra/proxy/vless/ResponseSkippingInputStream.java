package dev.umbra.proxy.vless;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The client's view of a VLESS stream: the server's response header is consumed on the first read,
 * since servers send it only together with their first data.
 */
final class ResponseSkippingInputStream extends InputStream {
  private final InputStream in;
  private boolean headerRead;

  ResponseSkippingInputStream(InputStream in) {
    this.in = in;
  }

  private void header() throws IOException {
    if (!headerRead) {
      Vless.readResponse(new DataInputStream(in));
      headerRead = true;
    }
  }

  @Override
  public int read() throws IOException {
    header();
    return in.read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    header();
    return in.read(b, off, len);
  }
}
