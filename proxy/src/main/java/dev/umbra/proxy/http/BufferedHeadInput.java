package dev.umbra.proxy.http;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Buffered reading for HTTP heads and bodies (a head read straight from a socket costs one system
 * call per byte), which can hand back what it read ahead when the stream changes hands, as when a
 * CONNECT tunnel starts and the client already sent its first bytes.
 */
final class BufferedHeadInput extends BufferedInputStream {
  BufferedHeadInput(InputStream in) {
    super(in, 8 * 1024);
  }

  /** Takes the bytes read ahead and not yet consumed; the stream must not be read afterwards. */
  synchronized byte[] takeReadAhead() {
    byte[] rest = buf == null || pos >= count ? new byte[0] : Arrays.copyOfRange(buf, pos, count);
    pos = count;
    return rest;
  }
}
