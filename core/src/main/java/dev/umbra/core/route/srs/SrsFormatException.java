package dev.umbra.core.route.srs;

import java.io.IOException;

/** A {@code .srs} file that is truncated, malformed or beyond our limits. */
public final class SrsFormatException extends IOException {
  public SrsFormatException(String message) {
    super(message);
  }

  public SrsFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
