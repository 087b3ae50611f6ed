package dev.umbra.proxy.shadowsocks;

import java.io.IOException;

/** A Shadowsocks peer sent something invalid (bad tag, bad header, replay, stale timestamp). */
public final class ShadowsocksException extends IOException {
  private static final long serialVersionUID = 1L;

  public ShadowsocksException(String message) {
    super(message);
  }

  public ShadowsocksException(String message, Throwable cause) {
    super(message, cause);
  }
}
