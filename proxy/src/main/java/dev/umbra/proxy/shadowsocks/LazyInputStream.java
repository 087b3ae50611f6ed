package dev.umbra.proxy.shadowsocks;

import java.io.IOException;
import java.io.InputStream;

/** An input stream set up on first read (the server's salt arrives only with its first reply). */
final class LazyInputStream extends InputStream {
  /** Builds the real stream, reading whatever header precedes the payload. */
  @FunctionalInterface
  interface Opener {
    InputStream open() throws IOException;
  }

  private final Opener opener;
  private InputStream delegate;
  private boolean ended;

  LazyInputStream(Opener opener) {
    this.opener = opener;
  }

  private InputStream delegate() throws IOException {
    if (delegate == null && !ended) {
      delegate = opener.open();
      if (delegate == null) {
        ended = true;
      }
    }
    return delegate;
  }

  @Override
  public int read() throws IOException {
    InputStream d = delegate();
    return d == null ? -1 : d.read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    InputStream d = delegate();
    return d == null ? -1 : d.read(b, off, len);
  }
}
