package dev.umbra.core.adapter;

import java.io.IOException;

/** A connection refused by a route rule ({@code reject} action or a {@code block} outbound). */
public final class RejectedException extends IOException {
  private static final long serialVersionUID = 1L;

  public RejectedException(String message) {
    super(message);
  }
}
