package dev.umbra.tor.dir;

import java.io.IOException;

/** A directory document is malformed, badly signed or stale. */
public class DirException extends IOException {
  private static final long serialVersionUID = 1L;

  public DirException(String message) {
    super(message);
  }

  public DirException(String message, Throwable cause) {
    super(message, cause);
  }
}
